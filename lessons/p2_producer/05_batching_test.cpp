// 2.2 Batching: linger.ms and batch.size decide how many records share one produce request.
// The same 5,000 records, sent the same way, counted in requests from the statistics.
#include <gtest/gtest.h>

#include <atomic>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Producer;
using klab::client::StatsCollector;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

// ~600 kB on the wire: below batch.size (1 MB) and batch.num.messages (10,000), so while the
// producer lingers nothing but linger.ms decides when a batch leaves.
constexpr int records = 5'000;
constexpr int bursts = 50;
// Longer than any run of the send loop, so what lingering does cannot depend on how fast a
// loaded machine runs the loop; flush() then sends at once (librdkafka ignores linger in it).
constexpr std::int64_t long_linger_ms = 60'000;

struct BatchRun {
  std::int64_t produce_requests = 0;
  std::int64_t requests_before_flush = 0;
  double records_per_request = 0;
  std::int64_t max_batch_bytes = 0;
};

enum class Pacing {
  await_each_burst,  // the next burst starts once the last one is acknowledged
  back_to_back,      // bursts queue up while the producer lingers
};

// 50 bursts of 100 records, like an application that produces as work arrives.
BatchRun run(std::int64_t linger_ms, std::int64_t batch_size, Pacing pacing) {
  auto topic = unique_name("batch");
  klab::testing::create_topic(topic, 1, 1);
  StatsCollector stats;
  auto config = cluster().client_config();
  config.acks("all").linger_ms(linger_ms).batch_size(batch_size).statistics_interval_ms(100);
  config.statistics_handler(stats.handler());
  Producer producer(config);
  producer.partitions_for(topic, scaled(30s));  // connected with metadata before the first send
  std::atomic<int> acknowledged{0};
  std::string value(100, 'v');
  for (int burst = 1; burst <= bursts; ++burst) {
    for (int i = 0; i < records / bursts; ++i) {
      auto err = producer.send({.topic = topic, .value = value},
                               [&](const klab::client::DeliveryReport&) { ++acknowledged; });
      EXPECT_FALSE(err) << err.to_string();
    }
    if (pacing == Pacing::await_each_burst)
      EXPECT_TRUE(klab::cluster::await_until(
          [&] { return acknowledged.load() == burst * records / bursts; }, scaled(30s)))
          << "burst " << burst << " not acknowledged";
  }
  if (batch_size < 100'000) {
    // Full batches leave on their own: wait until the statistics show the first request.
    EXPECT_TRUE(klab::cluster::await_until(
        [&] { return stats.latest() && stats.latest()->produce_requests() > 0; }, scaled(30s)))
        << "no produce request before flush()";
  }
  auto before_flush = stats.await_sample_after(std::chrono::steady_clock::now(), scaled(10s));
  EXPECT_TRUE(before_flush.has_value());
  EXPECT_FALSE(producer.flush(scaled(60s)));
  auto last = stats.await_sample_after(std::chrono::steady_clock::now(), scaled(10s));
  EXPECT_TRUE(last.has_value());
  klab::client::Admin admin(cluster().client_config());
  EXPECT_EQ(admin.watermark_offsets(topic, 0, scaled(10s)).high, records) << "all delivered";
  BatchRun r;
  if (!last || !before_flush) return r;
  r.produce_requests = last->produce_requests();
  r.requests_before_flush = before_flush->produce_requests();
  r.records_per_request = last->avg_records_per_request();
  r.max_batch_bytes = stats.max_batch_bytes();
  std::cout << "linger.ms=" << linger_ms << " batch.size=" << batch_size << ": "
            << r.produce_requests << " produce requests (" << r.requests_before_flush
            << " before flush), " << r.records_per_request << " records/request, largest batch "
            << r.max_batch_bytes << " B\n";
  return r;
}

TEST(P2Batching, LingerMsGathersTheSameRecordsIntoFewerProduceRequests) {
  KLAB_ROADMAP("2.2.2");
  auto no_linger = run(0, 1'000'000, Pacing::await_each_burst);
  auto linger = run(long_linger_ms, 1'000'000, Pacing::back_to_back);
  EXPECT_GE(no_linger.produce_requests, bursts) << "linger.ms=0: each burst leaves at once";
  EXPECT_EQ(linger.requests_before_flush, 0) << "lingering: every record still waits for company";
  EXPECT_EQ(linger.produce_requests, 1) << "all of it left in one request at flush()";
  EXPECT_LT(linger.produce_requests * 10, no_linger.produce_requests);
}

TEST(P2Batching, SmallBatchSizeSplitsTheSameRecordsIntoMoreProduceRequests) {
  KLAB_ROADMAP("2.2.2");
  auto small = run(long_linger_ms, 2'000, Pacing::back_to_back);
  auto large = run(long_linger_ms, 1'000'000, Pacing::back_to_back);
  // ~600 kB in batches of at most 2 kB: hundreds of requests.
  EXPECT_GE(small.produce_requests, 250);
  EXPECT_GT(small.requests_before_flush, 0) << "a full batch leaves without waiting for linger.ms";
  EXPECT_GT(small.max_batch_bytes, 0) << "no batch seen in the statistics";
  EXPECT_LE(small.max_batch_bytes, 2'000 + 200) << "batch.size caps a batch (plus overhead)";
  EXPECT_GT(large.max_batch_bytes, 100'000) << "lingering fills far bigger batches";
  EXPECT_LT(large.produce_requests * 10, small.produce_requests);
}

}  // namespace
