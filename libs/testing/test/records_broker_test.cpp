// consume_until and the record matchers against the real test cluster (the cluster is declared
// in delivery_ledger_broker_test.cpp, the other file of this binary).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "klab/client/producer.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::ProducerRecord;
using klab::client::Record;
using klab::testing::AtOffset;
using klab::testing::cluster;
using klab::testing::consume_until;
using klab::testing::HasHeader;
using klab::testing::HasKey;
using klab::testing::HasTopic;
using klab::testing::HasValue;
using klab::testing::OnPartition;
using klab::testing::unique_name;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Three records: p0 "a"/"one" with a header, p1 "b"/"two", p1 "c"/null (a tombstone).
std::string fill_topic() {
  auto topic = unique_name("matchers");
  klab::testing::create_topic(topic, 2, 1);
  klab::client::Producer producer(cluster().client_config().acks("all"));
  ProducerRecord first{.topic = topic, .partition = 0, .key = "a", .value = "one"};
  first.headers.add("trace", "t-1");
  first.headers.add("nothing", std::nullopt);
  for (auto r : {first, ProducerRecord{.topic = topic, .partition = 1, .key = "b", .value = "two"},
                 ProducerRecord{.topic = topic, .partition = 1, .key = "c"}}) {
    auto report = producer.send_sync(r, 30s);
    EXPECT_FALSE(report.error) << report.error.to_string();
  }
  return topic;
}

TEST(ConsumeUntil, CountReadsEveryPartitionFromTheBeginningWithoutAGroup) {
  auto topic = fill_topic();
  auto records = consume_until(cluster().client_config(), topic, 3, 30s);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records, Contains(AllOf(HasTopic(topic), HasKey("a"), OnPartition(0), AtOffset(0))));
  EXPECT_THAT(records, Contains(AllOf(HasKey("b"), OnPartition(1), AtOffset(0))));
  EXPECT_THAT(records, Contains(AllOf(HasKey("c"), OnPartition(1), AtOffset(1))));
  // A second read sees the same records: nothing was committed, no group consumed them.
  EXPECT_EQ(consume_until(cluster().client_config(), topic, 3, 30s).size(), 3u);
}

TEST(ConsumeUntil, PredicateStopsAtTheFirstRecordItAccepts) {
  auto topic = fill_topic();
  auto records = consume_until(
      cluster().client_config(), topic,
      [](const std::vector<Record>& got) {
        return !got.empty() && got.back().key() == std::optional<std::string_view>("b");
      },
      30s);
  ASSERT_FALSE(records.empty());
  EXPECT_THAT(records.back(), HasKey("b"));
  EXPECT_THAT(records, Not(Contains(HasKey("c"))));  // c comes after b on partition 1
}

TEST(ConsumeUntil, ReturnsWhatArrivedWhenTheTimeoutPasses) {
  auto topic = fill_topic();
  // 10 never arrive, so only the timeout ends the call; it is long enough for the 3 that exist
  // to arrive on a loaded machine (2 s was not: the topic lookup alone can take that long).
  auto records = consume_until(cluster().client_config(), topic, 10, 8s);
  EXPECT_EQ(records.size(), 3u);
}

TEST(ConsumeUntil, MissingTopicIsAnErrorNamingIt) {
  auto topic = unique_name("missing");
  auto config = cluster().client_config().set("allow.auto.create.topics", "false");
  try {
    consume_until(config, topic, 1, 2s);
    FAIL() << "expected a KafkaException";
  } catch (const klab::KafkaException& e) {
    EXPECT_THAT(e.what(), HasSubstr(topic));
  }
}

TEST(RecordMatchers, MatchWhatTheRecordHolds) {
  auto topic = fill_topic();
  auto records = consume_until(cluster().client_config(), topic, 3, 30s);
  ASSERT_EQ(records.size(), 3u);
  const Record* a = nullptr;
  for (const auto& r : records)
    if (r.key() == std::optional<std::string_view>("a")) a = &r;
  ASSERT_NE(a, nullptr);
  EXPECT_THAT(*a, AllOf(HasKey("a"), HasValue("one"), HasHeader("trace", "t-1"), HasHeader("trace"),
                        HasHeader("nothing"), OnPartition(0), AtOffset(0), HasTopic(topic)));
  EXPECT_THAT(*a, HasKey(StartsWith("a")));
  EXPECT_THAT(*a, HasValue(HasSubstr("ne")));
  EXPECT_THAT(*a, HasHeader("trace", StartsWith("t-")));
}

TEST(RecordMatchers, FailOnEveryMismatch) {
  auto topic = fill_topic();
  auto records = consume_until(cluster().client_config(), topic, 3, 30s);
  ASSERT_EQ(records.size(), 3u);
  for (const auto& r : records) {
    if (r.key() == std::optional<std::string_view>("a")) {
      EXPECT_FALSE(::testing::Matches(HasKey("b"))(r));
      EXPECT_FALSE(::testing::Matches(HasValue("two"))(r));
      EXPECT_FALSE(::testing::Matches(HasHeader("trace", "t-2"))(r));
      EXPECT_FALSE(::testing::Matches(HasHeader("absent"))(r));
      EXPECT_FALSE(::testing::Matches(HasHeader("nothing", ""))(r));  // null is not ""
      EXPECT_FALSE(::testing::Matches(OnPartition(1))(r));
      EXPECT_FALSE(::testing::Matches(AtOffset(1))(r));
      EXPECT_FALSE(::testing::Matches(HasTopic("other"))(r));
    }
    if (r.key() == std::optional<std::string_view>("c")) {
      EXPECT_FALSE(::testing::Matches(HasValue(""))(r));  // a tombstone has no value at all
    }
  }
  // And the failure message says what the record held.
  const auto& first = records.front();
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(first, HasKey("no-such-key")), "whose key is");
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(first, AtOffset(99)), "which is at offset");
}

}  // namespace
