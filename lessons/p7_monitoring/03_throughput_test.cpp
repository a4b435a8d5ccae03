// 7.2.4 Throughput: a dashboard's "messages in per second" is the difference of the brokers'
// messages_in counters over an interval divided by its length. The counts behind it must agree
// with the producer's: the brokers' delta equals the records the producer got acknowledged, and
// librdkafka's statistics report the same number. Rates are printed, counts are asserted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "broker_scrape.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::lessons::ClusterScrape;
using klab::testing::cluster;
using klab::testing::unique_name;

TEST(Throughput, BrokerCounterDeltaEqualsRecordsTheProducerDelivered) {
  KLAB_ROADMAP("7.2.4");
  KLAB_REQUIRE_BROKER_METRICS();
  auto topic = unique_name("tp");
  klab::testing::create_topic(topic, 3, 3);
  constexpr int n = 3000;
  constexpr size_t value_size = 200;
  const std::string value(value_size, 'x');

  klab::client::StatsCollector stats;
  auto config = cluster().client_config();
  config.linger_ms(5).statistics_interval_ms(200).statistics_handler(stats.handler());
  klab::client::Producer producer(config);

  auto before = ClusterScrape::take();
  auto t0 = std::chrono::steady_clock::now();
  std::atomic<int> delivered{0};
  for (int i = 0; i < n; ++i)
    ASSERT_FALSE(producer.send({.topic = topic, .key = std::to_string(i), .value = value},
                               [&](const klab::client::DeliveryReport& r) {
                                 if (!r.error) ++delivered;
                               }));
  ASSERT_FALSE(producer.flush(scaled(60s)));
  auto t1 = std::chrono::steady_clock::now();
  auto after = ClusterScrape::take();

  const double messages = after.sum("kafka_server_messages_in_total", {{"topic", topic}}) -
                          before.sum("kafka_server_messages_in_total", {{"topic", topic}});
  const double bytes = after.sum("kafka_server_bytes_in_total", {{"topic", topic}}) -
                       before.sum("kafka_server_bytes_in_total", {{"topic", topic}});
  EXPECT_EQ(delivered.load(), n);
  EXPECT_EQ(messages, delivered.load()) << "the leaders counted each acknowledged record once";
  EXPECT_GE(bytes, static_cast<double>(n) * value_size) << "payload plus keys and framing";

  // The producer's statistics: records put into Produce requests, once a sample after flush().
  std::optional<klab::client::ProducerStats> sample;
  ASSERT_TRUE(await_until(
      [&] {
        sample = stats.await_sample_after(t1, scaled(5s));
        return sample && sample->msg_cnt == 0;
      },
      scaled(30s)));
  EXPECT_EQ(sample->txmsgs, n) << "librdkafka txmsgs";
  std::int64_t per_partition = 0;
  for (const auto& t : sample->topics)
    if (t.name == topic)
      for (const auto& p : t.partitions) per_partition += p.txmsgs;
  EXPECT_EQ(per_partition, n);

  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  std::cout << "produced " << n << " x " << value_size << " B in " << seconds << " s: brokers saw "
            << messages << " records, " << bytes << " bytes -> " << messages / seconds
            << " records/s, " << bytes / seconds / 1e6 << " MB/s; bytes per record "
            << bytes / messages << " (payload " << value_size << ")\n";
}

}  // namespace
