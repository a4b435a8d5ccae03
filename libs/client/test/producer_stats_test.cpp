// ProducerStats and StatsCollector: librdkafka 2.0.2's statistics JSON (a sample captured from
// a producer writing lz4-compressed records to a 3-node lab, bootstrapped through "localhost"
// so a bootstrap entry is in it) parsed into the numbers a benchmark prints.
#include "klab/client/producer_stats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "klab/client/producer.hpp"
#include "stats_fixture.hpp"

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::ProducerStats;
using klab::client::StatsCollector;
using nlohmann::json;
using testing::HasSubstr;

std::string producer_fixture_text() {
  return klab::client::test::read_stats_fixture("producer_stats_2.0.2.json");
}

json producer_fixture() { return json::parse(producer_fixture_text()); }

klab::Error producer_parse_error_of(const json& doc) {
  return klab::client::test::parse_error_of<ProducerStats>(doc);
}

const klab::client::BrokerStats& broker(const ProducerStats& s, std::int32_t id) {
  for (const auto& b : s.brokers)
    if (b.node_id == id) return b;
  throw std::runtime_error("no broker " + std::to_string(id));
}

TEST(ProducerStats, ParsesProduceRequestsAndInFlightFromLibrdkafkaJson) {
  auto s = ProducerStats::parse(producer_fixture_text());
  EXPECT_EQ(s.ts_us, 8972861334);
  EXPECT_EQ(s.msg_cnt, 1006);
  EXPECT_EQ(s.msg_size, 100600);
  EXPECT_EQ(s.txmsgs, 40000);
  EXPECT_EQ(s.txmsg_bytes, 4200000);  // 40000 x (5-byte key + 100-byte value)
  EXPECT_EQ(s.tx, 37);
  EXPECT_EQ(s.tx_bytes, 315995);
  EXPECT_EQ(s.txretries, 0);
  EXPECT_EQ(s.produce_requests(), 12 + 10 + 10);
  EXPECT_EQ(s.in_flight(), 2 + 1 + 0);
}

TEST(ProducerStats, ParsesEachBrokersCountersAndLatencyWindows) {
  auto s = ProducerStats::parse(producer_fixture_text());
  const auto& b = broker(s, 3);
  EXPECT_EQ(b.name, "127.0.0.1:39094/3");
  EXPECT_EQ(b.state, "UP");
  EXPECT_EQ(b.tx, 13);
  EXPECT_EQ(b.txerrs, 0);
  EXPECT_EQ(b.produce_requests, 12);
  EXPECT_EQ(b.waitresp_cnt, 2);
  EXPECT_EQ(b.outbuf_cnt, 0);
  EXPECT_EQ(b.rtt.min, 10894);
  EXPECT_EQ(b.rtt.max, 86195);
  EXPECT_EQ(b.rtt.avg, 49562);
  EXPECT_EQ(b.rtt.sum, 545192);
  EXPECT_EQ(b.rtt.cnt, 11);
  EXPECT_EQ(b.rtt.p50, 46335);
  EXPECT_EQ(b.rtt.p75, 48895);
  EXPECT_EQ(b.rtt.p90, 82431);
  EXPECT_EQ(b.rtt.p95, 82431);
  EXPECT_EQ(b.rtt.p99, 86527);
  EXPECT_EQ(b.rtt.p99_99, 86527);
  EXPECT_EQ(b.int_latency.cnt, 4000);
  EXPECT_EQ(b.int_latency.p99, 17919);
  EXPECT_EQ(b.outbuf_latency.cnt, 13);
}

TEST(ProducerStats, LeavesOutBootstrapBrokersAndTheUnassignedPartition) {
  auto doc = producer_fixture();
  ASSERT_TRUE(doc["brokers"].contains("localhost:39092/bootstrap"));
  ASSERT_TRUE(doc["topics"]["stats-demo"]["partitions"].contains("-1"));
  auto s = ProducerStats::parse(doc.dump());
  ASSERT_EQ(s.brokers.size(), 3u);
  EXPECT_EQ(s.brokers[0].node_id, 1);  // sorted by node id
  EXPECT_EQ(s.brokers[2].node_id, 3);
  ASSERT_EQ(s.topics.size(), 1u);
  const auto& t = s.topics[0];
  EXPECT_EQ(t.name, "stats-demo");
  ASSERT_EQ(t.partitions.size(), 3u);
  EXPECT_EQ(t.partitions[0].partition, 0);
  EXPECT_EQ(t.partitions[0].txmsgs, 16000);
  EXPECT_EQ(t.partitions[0].txbytes, 1680000);
  EXPECT_EQ(t.partitions[1].txmsgs, 4000);
  EXPECT_EQ(t.partitions[2].txmsgs, 20000);
  EXPECT_EQ(t.partitions[2].msgq_cnt, 0);
  EXPECT_EQ(t.partitions[2].xmit_msgq_cnt, 0);  // always 0 in 2.0.2
  EXPECT_EQ(t.batchcnt.sum, 40000);             // every record went out in some batch
  EXPECT_EQ(t.batchcnt.cnt, 32);                // ... in as many batches as Produce requests
  EXPECT_EQ(t.batchsize.max, 52497);
}

TEST(ProducerStats, SortsPartitionsByNumberNotByText) {
  auto doc = producer_fixture();
  auto& parts = doc["topics"]["stats-demo"]["partitions"];
  parts["10"] = parts["2"];
  parts["10"]["partition"] = 10;
  auto s = ProducerStats::parse(doc.dump());
  ASSERT_EQ(s.topics[0].partitions.size(), 4u);
  EXPECT_EQ(s.topics[0].partitions[2].partition, 2);
  EXPECT_EQ(s.topics[0].partitions[3].partition, 10);
}

TEST(ProducerStats, DerivesCompressionRatioAndRecordsPerRequest) {
  auto s = ProducerStats::parse(producer_fixture_text());
  // lz4 squeezes 100 'x' bytes well: the wire carried ~13x less than the payload.
  EXPECT_DOUBLE_EQ(s.compression_ratio(), 4200000.0 / 315995.0);
  EXPECT_GT(s.compression_ratio(), 10.0);
  EXPECT_DOUBLE_EQ(s.avg_records_per_request(), 40000.0 / 32.0);
}

TEST(ProducerStats, DerivedNumbersAreZeroWhenNothingWasSent) {
  ProducerStats s;
  EXPECT_EQ(s.produce_requests(), 0);
  EXPECT_EQ(s.in_flight(), 0);
  EXPECT_EQ(s.compression_ratio(), 0.0);
  EXPECT_EQ(s.avg_records_per_request(), 0.0);
}

TEST(ProducerStats, SumsRetriesOverRealBrokers) {
  auto doc = producer_fixture();
  doc["brokers"]["127.0.0.1:39092/1"]["txretries"] = 4;
  doc["brokers"]["127.0.0.1:39093/2"]["txretries"] = 1;
  EXPECT_EQ(ProducerStats::parse(doc.dump()).txretries, 5);
}

TEST(ProducerStats, MissingProduceCounterMeansNoProduceRequests) {
  auto doc = producer_fixture();
  doc["brokers"]["127.0.0.1:39092/1"]["req"].erase("Produce");
  auto s = ProducerStats::parse(doc.dump());
  EXPECT_EQ(broker(s, 1).produce_requests, 0);
  EXPECT_EQ(s.produce_requests(), 12 + 10);
}

TEST(ProducerStats, MissingFieldIsBadMsgNamingTheField) {
  auto top = producer_fixture();
  top.erase("txmsgs");
  auto e = producer_parse_error_of(top);
  EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR__BAD_MSG);
  EXPECT_THAT(e.message(), HasSubstr("field txmsgs is missing"));

  auto window = producer_fixture();
  window["brokers"]["127.0.0.1:39092/1"]["rtt"].erase("p99");
  e = producer_parse_error_of(window);
  EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR__BAD_MSG);
  EXPECT_THAT(e.message(), HasSubstr("brokers[\"127.0.0.1:39092/1\"].rtt.p99 is missing"));

  auto partition = producer_fixture();
  partition["topics"]["stats-demo"]["partitions"]["1"].erase("txbytes");
  e = producer_parse_error_of(partition);
  EXPECT_THAT(e.message(), HasSubstr("topics[\"stats-demo\"].partitions[\"1\"].txbytes"));

  auto brokers = producer_fixture();
  brokers.erase("brokers");
  EXPECT_THAT(producer_parse_error_of(brokers).message(), HasSubstr("field brokers is missing"));
}

TEST(ProducerStats, OddFieldTypesAndNonJsonAreBadMsg) {
  auto doc = producer_fixture();
  doc["tx"] = "37";
  auto e = producer_parse_error_of(doc);
  EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR__BAD_MSG);
  EXPECT_THAT(e.message(), HasSubstr("field tx is not an integer"));

  auto topics = producer_fixture();
  topics["topics"] = json::array();
  EXPECT_THAT(producer_parse_error_of(topics).message(),
              HasSubstr("field topics is not an object"));

  try {
    ProducerStats::parse("{\"ts\": ");
    ADD_FAILURE() << "expected a KafkaException";
  } catch (const KafkaException& ex) {
    EXPECT_EQ(ex.error().code(), RD_KAFKA_RESP_ERR__BAD_MSG);
    EXPECT_THAT(ex.error().message(), HasSubstr("not JSON"));
  }
}

// The fixture with every broker's waitresp_cnt replaced, so in_flight() is `per_broker` x 3.
std::string sample_with_in_flight(int per_broker, std::int64_t ts) {
  auto doc = producer_fixture();
  for (auto& [name, b] : doc["brokers"].items()) b["waitresp_cnt"] = per_broker;
  doc["ts"] = ts;
  return doc.dump();
}

TEST(StatsCollector, ResetSummaryMeasuresOnlyTheSamplesAfterIt) {
  StatsCollector c;
  c.add(sample_with_in_flight(5, 1));  // a warm-up's burst
  ASSERT_EQ(c.max_in_flight(), 15);
  c.reset_summary();
  EXPECT_EQ(c.max_in_flight(), 0);
  c.add(sample_with_in_flight(1, 2));
  EXPECT_EQ(c.max_in_flight(), 3);
  EXPECT_EQ(c.samples(), 2) << "the samples themselves are still counted";
}

TEST(StatsCollector, KeepsTheLatestSampleAndTheLargestInFlight) {
  StatsCollector c;
  EXPECT_FALSE(c.latest());
  EXPECT_EQ(c.samples(), 0);
  auto handler = c.handler();  // a copy of the collector's state, as Config would hold it
  handler(sample_with_in_flight(2, 1));
  handler(sample_with_in_flight(5, 2));
  handler(sample_with_in_flight(1, 3));
  EXPECT_EQ(c.samples(), 3);
  EXPECT_EQ(c.max_in_flight(), 15);
  ASSERT_TRUE(c.latest());
  EXPECT_EQ(c.latest()->ts_us, 3);
  EXPECT_EQ(c.latest()->in_flight(), 3);

  StatsCollector copy = c;  // copies share one state
  copy.add(sample_with_in_flight(0, 4));
  EXPECT_EQ(c.samples(), 4);
  EXPECT_EQ(c.latest()->ts_us, 4);
}

TEST(StatsCollector, KeepsTheLargestBatchOfAnySampleAfterAnEmptyWindow) {
  StatsCollector c;
  c.add(producer_fixture_text());
  auto empty = producer_fixture();
  for (auto& [name, t] : empty["topics"].items()) t["batchsize"]["max"] = 0;
  c.add(empty.dump());
  EXPECT_EQ(c.latest()->topics.front().batchsize.max, 0) << "an idle interval";
  EXPECT_EQ(c.max_batch_bytes(), 52497) << "the earlier sample's batch is remembered";
}

TEST(StatsCollector, RejectedSampleChangesNothing) {
  StatsCollector c;
  c.add(producer_fixture_text());
  EXPECT_THROW(c.add("{}"), KafkaException);
  EXPECT_EQ(c.samples(), 1);
  EXPECT_EQ(c.latest()->ts_us, 8972861334);
}

TEST(StatsCollector, AwaitSampleAfterReturnsOnlyANewerSample) {
  StatsCollector c;
  c.add(sample_with_in_flight(1, 1));
  auto now = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.await_sample_after(now, 50ms)) << "the only sample is older than `now`";
  auto old = c.await_sample_after(now - 1h, 0ms);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->ts_us, 1);

  std::jthread feeder([c]() mutable {
    std::this_thread::sleep_for(20ms);
    c.add(sample_with_in_flight(1, 2));
  });
  auto fresh = c.await_sample_after(now, 10s);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->ts_us, 2);
}

TEST(StatsCollector, ReceivesSamplesFromARealProducerHandle) {
  // No broker listens on port 1: librdkafka still emits statistics, with only the bootstrap
  // entry in "brokers", which parse() leaves out.
  StatsCollector c;
  klab::client::Config config;
  config.bootstrap_servers("127.0.0.1:1").log_level(0);
  config.statistics_handler(c.handler()).statistics_interval_ms(100);
  klab::client::Producer producer(config);
  auto sample = c.await_sample_after(std::chrono::steady_clock::now(), 10s);
  ASSERT_TRUE(sample);
  EXPECT_GT(sample->ts_us, 0);
  EXPECT_TRUE(sample->brokers.empty());
  EXPECT_EQ(sample->produce_requests(), 0);
}

}  // namespace
