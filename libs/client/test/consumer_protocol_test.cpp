// Decoding the consumer protocol's member assignment bytes (what describe_group shows).
#include "klab/client/consumer_protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {
using klab::client::parse_consumer_assignment;
using klab::client::TopicPartition;

// Big-endian writer for hand-built protocol bytes.
struct Bytes {
  std::vector<std::uint8_t> data;
  Bytes& i16(int v) {
    data.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
    data.push_back(static_cast<std::uint8_t>(v & 0xff));
    return *this;
  }
  Bytes& i32(std::int32_t v) {
    auto u = static_cast<std::uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8)
      data.push_back(static_cast<std::uint8_t>((u >> shift) & 0xff));
    return *this;
  }
  Bytes& str(const std::string& s) {
    i16(static_cast<int>(s.size()));
    data.insert(data.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::string& s) {
    data.insert(data.end(), s.begin(), s.end());
    return *this;
  }
};

TEST(ClientConsumerProtocol, DecodesTopicsPartitionsAndUserData) {
  Bytes b;
  b.i16(1).i32(2);
  b.str("orders").i32(2).i32(0).i32(3);
  b.str("payments").i32(1).i32(7);
  b.i32(3).raw("abc");
  auto a = parse_consumer_assignment(b.data);
  EXPECT_EQ(a.version, 1);
  using TP = TopicPartition;
  EXPECT_EQ(a.partitions, (std::vector<TP>{{"orders", 0}, {"orders", 3}, {"payments", 7}}));
  EXPECT_EQ(a.user_data, "abc");
}

TEST(ClientConsumerProtocol, NullOrMissingUserDataIsEmpty) {
  Bytes with_null;
  with_null.i16(0).i32(1).str("t").i32(1).i32(0).i32(-1);
  EXPECT_EQ(parse_consumer_assignment(with_null.data).user_data, "");
  Bytes without;
  without.i16(0).i32(1).str("t").i32(1).i32(0);
  EXPECT_EQ(parse_consumer_assignment(without.data).partitions.size(), 1u);
}

TEST(ClientConsumerProtocol, EmptyBytesAreAnEmptyAssignment) {
  EXPECT_TRUE(parse_consumer_assignment({}).partitions.empty());
}

TEST(ClientConsumerProtocol, TruncatedBytesThrowNamingTheOffset) {
  Bytes b;
  b.i16(0).i32(1).str("orders").i32(2).i32(0);  // promises 2 partitions, has 1
  try {
    parse_consumer_assignment(b.data);
    FAIL() << "truncated bytes must throw";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__BAD_MSG);
    EXPECT_THAT(e.what(),
                testing::HasSubstr("truncated partition at byte " + std::to_string(b.data.size())));
  }
}

TEST(ClientConsumerProtocol, NegativeCountIsRejected) {
  Bytes b;
  b.i16(0).i32(-5);
  EXPECT_THROW(parse_consumer_assignment(b.data), klab::KafkaException);
}

}  // namespace
