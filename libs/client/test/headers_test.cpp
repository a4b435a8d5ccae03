// Headers: order, duplicates and null-vs-empty values survive librdkafka's header list.
#include "klab/client/headers.hpp"

#include <gtest/gtest.h>

namespace {
using klab::client::Header;
using klab::client::Headers;

TEST(ClientHeaders, RoundTripThroughRdKafkaHeadersKeepsOrderDuplicatesNullAndEmpty) {
  Headers h;
  h.add("trace", "abc").add("retry", "1").add("tombstone", std::nullopt).add("empty", "");
  h.add("retry", "2");
  auto native = h.to_native();
  EXPECT_EQ(rd_kafka_header_cnt(native.get()), 5u);
  auto back = Headers::from_native(native.get());
  EXPECT_EQ(back, h);
  ASSERT_EQ(back.size(), 5u);
  EXPECT_FALSE(back[2].value.has_value()) << "null stays null";
  ASSERT_TRUE(back[3].value.has_value()) << "empty stays empty, not null";
  EXPECT_EQ(*back[3].value, "");
}

TEST(ClientHeaders, LastAndAllFindValuesByKey) {
  Headers h{{"k", "1"}, {"other", "x"}, {"k", "2"}};
  ASSERT_NE(h.last("k"), nullptr);
  EXPECT_EQ(h.last("k")->value, "2");
  EXPECT_EQ(h.last("missing"), nullptr);
  auto all = h.all("k");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].value, "1");
  EXPECT_EQ(h.remove("k"), 2u);
  EXPECT_EQ(h.size(), 1u);
}

TEST(ClientHeaders, BinaryValuesAreKeptByteForByte) {
  std::string bytes("\0\x01\xff", 3);
  Headers h;
  h.add("bin", bytes);
  auto back = Headers::from_native(h.to_native().get());
  EXPECT_EQ(back.last("bin")->value, bytes);
}

TEST(ClientHeaders, NullNativeListIsEmpty) { EXPECT_TRUE(Headers::from_native(nullptr).empty()); }

}  // namespace
