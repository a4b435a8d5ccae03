// ConsumerStats and ConsumerStatsCollector: librdkafka 2.0.2's statistics JSON of a consumer (a
// sample captured from a group member that had read and committed 5 records of a 1-partition
// topic on a 1-node lab; refresh it with KLAB_CAPTURE_CONSUMER_STATS, see
// admin_broker_test.cpp) parsed into fetch, lag and group numbers.
#include "klab/client/consumer_stats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "stats_fixture.hpp"

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::ConsumerStats;
using klab::client::ConsumerStatsCollector;
using nlohmann::json;
using testing::HasSubstr;

const std::string topic = "ConsumerStatsOnBroker.ALiveConsumersStatisticsParse-stats-41722-0";
const std::string broker_key = "127.0.0.1:23458/1";

std::string consumer_fixture_text() {
  return klab::client::test::read_stats_fixture("consumer_stats_2.0.2.json");
}

json consumer_fixture() { return json::parse(consumer_fixture_text()); }

klab::Error consumer_parse_error_of(const json& doc) {
  return klab::client::test::parse_error_of<ConsumerStats>(doc);
}

TEST(ConsumerStats, ParsesTopLevelCountersFromLibrdkafkaJson) {
  auto s = ConsumerStats::parse(consumer_fixture_text());
  EXPECT_EQ(s.ts_us, 12763783099);
  EXPECT_EQ(s.rxmsgs, 5);
  EXPECT_EQ(s.rxmsg_bytes, 10);  // 5 values of 2 bytes ("s0" .. "s4")
  EXPECT_EQ(s.rx, 19);
  EXPECT_EQ(s.rx_bytes, 3391);
}

TEST(ConsumerStats, CountsFetchRequestsOfRealBrokersOnly) {
  auto s = ConsumerStats::parse(consumer_fixture_text());
  // The logical GroupCoordinator entry repeats node id 1; it is not a second broker.
  ASSERT_EQ(s.brokers.size(), 1u);
  EXPECT_EQ(s.brokers[0].name, broker_key);
  EXPECT_EQ(s.brokers[0].node_id, 1);
  EXPECT_EQ(s.brokers[0].state, "UP");
  EXPECT_EQ(s.brokers[0].fetch_requests, 2);
  EXPECT_EQ(s.brokers[0].produce_requests, 0) << "a consumer's req map has no Produce";
  EXPECT_EQ(s.fetch_requests(), 2);
}

TEST(ConsumerStats, ParsesEachPartitionsFetchQueueLagAndOffsets) {
  auto s = ConsumerStats::parse(consumer_fixture_text());
  ASSERT_EQ(s.topics.size(), 1u);
  EXPECT_EQ(s.topics[0].name, topic);
  ASSERT_EQ(s.topics[0].partitions.size(), 1u) << "the unassigned partition -1 is left out";
  const auto* p = s.partition(topic, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->partition, 0);
  EXPECT_EQ(p->fetchq_cnt, 0);
  EXPECT_EQ(p->fetchq_size, 0);
  EXPECT_EQ(p->consumer_lag, 0);
  EXPECT_EQ(p->rxmsgs, 5);
  EXPECT_EQ(p->rxbytes, 10);
  EXPECT_EQ(p->committed_offset, 5);
  EXPECT_EQ(p->app_offset, 5);
  EXPECT_EQ(p->fetch_state, "active");
  EXPECT_EQ(s.partition(topic, 1), nullptr);
  EXPECT_EQ(s.partition("other", 0), nullptr);
}

TEST(ConsumerStats, ParsesTheGroupsJoinStateAndRebalances) {
  auto s = ConsumerStats::parse(consumer_fixture_text());
  ASSERT_TRUE(s.cgrp);
  EXPECT_EQ(s.cgrp->state, "up");
  EXPECT_EQ(s.cgrp->join_state, "steady");
  EXPECT_EQ(s.cgrp->rebalance_cnt, 1);
  EXPECT_EQ(s.cgrp->assignment_size, 1);
}

TEST(ConsumerStats, ConsumerWithoutGroupHasNoCgrp) {
  auto doc = consumer_fixture();
  doc.erase("cgrp");
  EXPECT_FALSE(ConsumerStats::parse(doc.dump()).cgrp);
}

TEST(ConsumerStats, SortsPartitionsByNumberNotByText) {
  auto doc = consumer_fixture();
  auto& parts = doc["topics"][topic]["partitions"];
  for (int id : {10, 2}) {
    auto key = std::to_string(id);
    parts[key] = parts["0"];
    parts[key]["partition"] = id;
  }
  auto s = ConsumerStats::parse(doc.dump());
  ASSERT_EQ(s.topics[0].partitions.size(), 3u);
  EXPECT_EQ(s.topics[0].partitions[0].partition, 0);
  EXPECT_EQ(s.topics[0].partitions[1].partition, 2);
  EXPECT_EQ(s.topics[0].partitions[2].partition, 10);
}

TEST(ConsumerStats, MissingFieldIsBadMsgNamingTheField) {
  auto lag = consumer_fixture();
  lag["topics"][topic]["partitions"]["0"].erase("consumer_lag");
  auto err = consumer_parse_error_of(lag);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__BAD_MSG);
  EXPECT_THAT(err.message(), HasSubstr("topics[\"" + topic + "\"].partitions[\"0\"].consumer_lag"));

  auto join = consumer_fixture();
  join["cgrp"].erase("join_state");
  EXPECT_THAT(consumer_parse_error_of(join).message(), HasSubstr("cgrp.join_state is missing"));

  auto top = consumer_fixture();
  top.erase("rxmsgs");
  EXPECT_THAT(consumer_parse_error_of(top).message(), HasSubstr("field rxmsgs is missing"));
}

TEST(ConsumerStats, OddFieldTypesAndNonJsonAreBadMsg) {
  auto state = consumer_fixture();
  state["topics"][topic]["partitions"]["0"]["fetch_state"] = 3;
  EXPECT_THAT(consumer_parse_error_of(state).message(), HasSubstr("fetch_state is not a string"));
  auto cgrp = consumer_fixture();
  cgrp["cgrp"] = "up";
  EXPECT_THAT(consumer_parse_error_of(cgrp).message(), HasSubstr("cgrp is not an object"));
  try {
    ConsumerStats::parse("not json");
    ADD_FAILURE() << "expected a KafkaException";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error(), RD_KAFKA_RESP_ERR__BAD_MSG);
  }
}

std::string sample_with_lag(std::int64_t lag) {
  auto doc = consumer_fixture();
  doc["topics"][topic]["partitions"]["0"]["consumer_lag"] = lag;
  return doc.dump();
}

TEST(ConsumerStatsCollector, KeepsTheLatestSample) {
  ConsumerStatsCollector c;
  EXPECT_FALSE(c.latest());
  EXPECT_EQ(c.samples(), 0);
  auto handler = c.handler();  // a copy shares the collector's state
  handler(sample_with_lag(7));
  handler(sample_with_lag(3));
  ASSERT_TRUE(c.latest());
  EXPECT_EQ(c.latest()->partition(topic, 0)->consumer_lag, 3);
  EXPECT_EQ(c.samples(), 2);
}

TEST(ConsumerStatsCollector, RejectedSampleChangesNothing) {
  ConsumerStatsCollector c;
  c.add(sample_with_lag(4));
  EXPECT_THROW(c.add("{}"), KafkaException);
  EXPECT_EQ(c.samples(), 1);
  EXPECT_EQ(c.latest()->partition(topic, 0)->consumer_lag, 4);
}

TEST(ConsumerStatsCollector, AwaitSampleAfterReturnsOnlyANewerSample) {
  ConsumerStatsCollector c;
  c.add(sample_with_lag(1));
  auto after = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.await_sample_after(after, 50ms)) << "the only sample is older";
  std::jthread feeder([c]() mutable { c.add(sample_with_lag(9)); });
  auto fresh = c.await_sample_after(after, 5s);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->partition(topic, 0)->consumer_lag, 9);
}

}  // namespace
