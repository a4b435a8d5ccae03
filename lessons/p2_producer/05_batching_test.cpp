// 2.2 Batching: linger.ms and batch.size decide how many records share one produce request.
// The same 10,000 records, sent the same way, counted in requests from the statistics.
#include <gtest/gtest.h>

#include <thread>

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

constexpr int records = 10'000;

struct BatchRun {
  std::int64_t produce_requests = 0;
  double records_per_request = 0;
  std::int64_t max_batch_bytes = 0;
};

// 50 bursts of 200 records with a short gap between them, like an application that produces
// as work arrives rather than in one loop.
BatchRun run(std::int64_t linger_ms, std::int64_t batch_size) {
  auto topic = unique_name("batch");
  klab::testing::create_topic(topic, 1, 1);
  StatsCollector stats;
  auto config = cluster().client_config();
  config.acks("all").linger_ms(linger_ms).batch_size(batch_size).statistics_interval_ms(100);
  config.statistics_handler(stats.handler());
  Producer producer(config);
  std::string value(100, 'v');
  for (int burst = 0; burst < 50; ++burst) {
    for (int i = 0; i < records / 50; ++i) {
      auto err = producer.send({.topic = topic, .value = value});
      EXPECT_FALSE(err) << err.to_string();
    }
    std::this_thread::sleep_for(5ms);  // pacing of the workload, not a wait for a result
  }
  EXPECT_FALSE(producer.flush(scaled(60s)));
  auto last = stats.await_sample_after(std::chrono::steady_clock::now(), scaled(10s));
  EXPECT_TRUE(last.has_value());
  klab::client::Admin admin(cluster().client_config());
  EXPECT_EQ(admin.watermark_offsets(topic, 0, scaled(10s)).high, records) << "all delivered";
  BatchRun r;
  if (!last) return r;
  r.produce_requests = last->produce_requests();
  r.records_per_request = last->avg_records_per_request();
  r.max_batch_bytes = stats.max_batch_bytes();
  std::cout << "linger.ms=" << linger_ms << " batch.size=" << batch_size << ": "
            << r.produce_requests << " produce requests, " << r.records_per_request
            << " records/request, largest batch " << r.max_batch_bytes << " B\n";
  return r;
}

TEST(P2Batching, LingerMsGathersTheSameRecordsIntoFewerProduceRequests) {
  KLAB_ROADMAP("2.2.2");
  auto no_linger = run(0, 1'000'000);
  auto linger = run(100, 1'000'000);
  EXPECT_GE(no_linger.produce_requests, 50) << "at least one request per burst";
  EXPECT_LT(linger.produce_requests * 3, no_linger.produce_requests)
      << "waiting 100 ms lets several bursts share a request";
}

TEST(P2Batching, SmallBatchSizeSplitsTheSameRecordsIntoMoreProduceRequests) {
  KLAB_ROADMAP("2.2.2");
  auto small = run(100, 2'000);
  auto large = run(100, 1'000'000);
  // 10,000 records of ~100 B are ~1 MB: 2 kB batches need hundreds of requests.
  EXPECT_GE(small.produce_requests, 400);
  EXPECT_GT(small.max_batch_bytes, 0) << "no batch seen in the statistics";
  EXPECT_LE(small.max_batch_bytes, 2'000 + 200) << "batch.size caps a batch (plus overhead)";
  EXPECT_GT(large.max_batch_bytes, 100'000) << "lingering fills far bigger batches";
  EXPECT_LT(large.produce_requests * 10, small.produce_requests);
}

}  // namespace
