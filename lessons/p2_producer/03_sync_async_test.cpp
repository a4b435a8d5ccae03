// 2.1 Sync vs async sending: send_sync() waits for each acknowledgement, send() returns at once
// and lets several produce requests fly. The producer's statistics show the difference.
#include <gtest/gtest.h>

#include <atomic>

#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Producer;
using klab::client::ProducerRecord;
using klab::client::StatsCollector;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

// Small batches: each holds a few records, so a burst of sends becomes many produce requests.
Config stats_config(StatsCollector& stats) {
  auto c = cluster().client_config();
  c.acks("1").linger_ms(0).batch_size(2000).set(
      klab::client::keys::max_in_flight_requests_per_connection, "5");
  // Build several requests per wake-up instead of one (librdkafka's default threshold is 1).
  c.set(klab::client::keys::queue_buffering_backpressure_threshold, "10");
  c.statistics_interval_ms(100).statistics_handler(stats.handler());
  return c;
}

ProducerRecord record(const std::string& topic, int i) {
  return {.topic = topic, .value = std::string(100, 'a' + i % 26)};
}

TEST(P2SyncAsync, SyncSendWaitsForEachAcknowledgementSoOneRequestIsInFlightAtATime) {
  KLAB_ROADMAP("2.1.3");
  auto topic = unique_name("sync");
  klab::testing::create_topic(topic, 1, 1);
  StatsCollector stats;
  Producer producer(stats_config(stats));
  // Warm-up: right after creation the first produce can meet NOT_LEADER, and its retry overlaps
  // the metadata request it triggers. Measured from a sample taken once that is over.
  ASSERT_FALSE(producer.send_sync(record(topic, 0), scaled(30s)).error);
  auto warm = stats.await_sample_after(std::chrono::steady_clock::now(), scaled(10s));
  ASSERT_TRUE(warm.has_value()) << "no statistics after the warm-up";
  stats.reset_summary();

  for (int i = 1; i <= 200; ++i) {
    auto report = producer.send_sync(record(topic, i), scaled(30s));
    ASSERT_FALSE(report.error) << report.error.to_string();
    ASSERT_EQ(report.offset, i) << "each report arrives before the next send";
  }
  auto done = std::chrono::steady_clock::now();
  auto last = stats.await_sample_after(done, scaled(10s));
  ASSERT_TRUE(last.has_value()) << "no statistics after the sends";
  auto requests = last->produce_requests() - warm->produce_requests();
  std::cout << "sync: " << requests << " produce requests for 200 records, "
            << "max in flight " << stats.max_in_flight() << '\n';
  EXPECT_GE(requests, 200) << "one request per record: nothing to batch with";
  EXPECT_LE(stats.max_in_flight(), 1);
}

TEST(P2SyncAsync, AsyncSendReturnsBeforeAnyAcknowledgementAndKeepsSeveralRequestsInFlight) {
  KLAB_ROADMAP("2.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("async");
  klab::testing::create_topic(topic, 1, 1);
  StatsCollector stats;
  Producer producer(stats_config(stats));
  ASSERT_FALSE(producer.send_sync(record(topic, 0), scaled(30s)).error);  // connected

  // A frozen leader holds every request it receives, so whatever is in flight stays there
  // long enough for a statistics sample to see it.
  int leader = klab::testing::partition_info(topic, 0).leader;
  cluster().local().pause_node(leader);
  // Resumed on every way out, failed assertions included: the next test needs this broker.
  struct Resume {
    int id;
    ~Resume() { cluster().local().resume_node(id); }
  } resume{leader};
  std::atomic<int> acknowledged{0};
  std::vector<std::int64_t> offsets(200, -1);
  auto send = [&](int i) {
    return producer.send(record(topic, i), [&, i](const klab::client::DeliveryReport& r) {
      if (!r.error) ++acknowledged;
      offsets[i] = r.offset;
    });
  };
  // In bursts: each send also wakes librdkafka's broker thread, which then puts the next
  // request on the wire while the earlier ones still wait for the frozen leader.
  int sent = 0;
  bool several = false;
  while (sent < 200 && !several) {
    for (int k = 0; k < 20; ++k, ++sent) ASSERT_FALSE(send(sent));
    several = klab::cluster::await_until([&] { return stats.max_in_flight() >= 2; }, 1500ms);
  }
  for (; sent < 200; ++sent) ASSERT_FALSE(send(sent));
  EXPECT_EQ(acknowledged.load(), 0) << "all 200 send() calls returned before any acknowledgement";
  cluster().local().resume_node(leader);  // resuming twice is harmless
  ASSERT_TRUE(several) << "max in flight seen: " << stats.max_in_flight();
  ASSERT_FALSE(producer.flush(scaled(60s)));
  std::cout << "async: max in flight " << stats.max_in_flight()
            << " (max.in.flight.requests.per.connection=5)\n";
  EXPECT_LE(stats.max_in_flight(), 5) << "max.in.flight.requests.per.connection caps it";
  EXPECT_EQ(acknowledged.load(), 200);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(offsets[i], i + 1) << "in send order, after record 0";
}

}  // namespace
