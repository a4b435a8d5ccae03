// 3.1 Receiving: records come back in offset order per partition; a record that cannot be
// deserialized is parked instead of stalling its partition; what one poll() returns.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/typed_consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

struct Payment {
  std::string id;
  long amount = 0;
};
void to_json(nlohmann::json& j, const Payment& p) { j = {{"id", p.id}, {"amount", p.amount}}; }
void from_json(const nlohmann::json& j, Payment& p) {
  j.at("id").get_to(p.id);
  j.at("amount").get_to(p.amount);
}

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

TEST(P3Receive, EachPartitionIsReadInOffsetOrderAndNothingIsSkipped) {
  KLAB_ROADMAP("3.1.1");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  Producer producer(cluster().client_config());
  for (int i = 0; i < 300; ++i)
    ASSERT_FALSE(producer.send(
        {.topic = topic, .key = "customer-" + std::to_string(i % 7), .value = std::to_string(i)}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 300, 60s);
  ASSERT_EQ(got.size(), 300u);
  std::map<int, std::int64_t> next;
  for (const auto& r : got) {
    EXPECT_EQ(r.offset(), next[r.partition()]) << "partition " << r.partition();
    next[r.partition()] = r.offset() + 1;
  }
  EXPECT_EQ(next.size(), 3u);
}

TEST(P3Deserialization, PoisonPillIsParkedAndTheRecordsAfterItAreProcessed) {
  KLAB_ROADMAP("3.1.2");
  auto topic = unique_name("payments");
  auto dlt = topic + "-dlt";
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::create_topic(dlt, 1, 1);
  Producer producer(cluster().client_config());
  for (const char* v : {R"({"id":"p1","amount":100})", "{not json", R"({"id":"p3","amount":300})"})
    ASSERT_FALSE(producer.send_sync({.topic = topic, .key = "k", .value = v}, scaled(30s)).error);

  using PaymentConsumer = klab::client::TypedConsumer<std::string, Payment>;
  PaymentConsumer consumer(
      klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.raw().subscribe({topic});
  std::vector<std::string> processed;
  int parked = 0;
  auto deadline = std::chrono::steady_clock::now() + scaled(30s);
  while (processed.size() + parked < 3 && std::chrono::steady_clock::now() < deadline) {
    auto m = consumer.poll(200ms);
    if (!m || m->record.error()) continue;
    if (!m->value.ok()) {
      // Park the raw bytes with the reason; the partition moves on.
      klab::client::ProducerRecord bad{
          .topic = dlt, .key = "k", .value = std::string(*m->record.value())};
      bad.headers.add("klab.error", m->value.error().to_string());
      ASSERT_FALSE(producer.send_sync(bad, scaled(30s)).error);
      ++parked;
    } else {
      processed.push_back(m->value.value().id);
    }
    consumer.raw().commit_sync(m->record);
  }
  EXPECT_EQ(processed, (std::vector<std::string>{"p1", "p3"})) << "the record after the bad one";
  EXPECT_EQ(parked, 1);
  Consumer dlt_reader(klab::testing::consumer_config(cluster().client_config(), unique_name("d")));
  dlt_reader.subscribe({dlt});
  auto bad = klab::testing::consume_n(dlt_reader, 1, 30s);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].value(), "{not json");
  ASSERT_NE(bad[0].headers().last("klab.error"), nullptr);
  EXPECT_NE(bad[0].headers().last("klab.error")->value->find("DESERIALIZATION"), std::string::npos);
}

TEST(P3Poll, OnePollReturnsOneRecordWhileMoreWaitInTheLocalFetchQueue) {
  KLAB_ROADMAP("3.1.3");
  auto topic = unique_name("queue");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(producer.send({.topic = topic, .value = "v"}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  klab::client::ConsumerStatsCollector stats;
  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  config.statistics_interval_ms(1000).statistics_handler(stats.handler());
  Consumer consumer(config);
  consumer.subscribe({topic});
  auto first = klab::testing::consume_n(consumer, 1, 30s);
  ASSERT_EQ(first.size(), 1u) << "poll() hands out one record at a time";
  // librdkafka fetched ahead in the background: the rest sit in the local queue.
  std::int64_t queued = 0;
  klab::cluster::await_until(
      [&] {
        consumer.poll(0ms);  // serves the statistics callback
        if (auto s = stats.latest())
          for (const auto& t : s->topics)
            for (const auto& p : t.partitions) queued = std::max(queued, p.fetchq_cnt);
        return queued > 0;
      },
      scaled(10s));
  std::cout << "after one poll: " << queued << " record(s) waiting in the local fetch queue\n";
  EXPECT_GT(queued, 1);
}

TEST(P3Poll, PollBatchReturnsAtMostMaxRecordsLikeJavasMaxPollRecords) {
  KLAB_ROADMAP("3.1.3 3.4.2");
  auto topic = unique_name("batch");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(producer.send({.topic = topic, .value = "v"}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  std::size_t total = 0, largest = 0, batches = 0;
  auto deadline = std::chrono::steady_clock::now() + scaled(30s);
  while (total < 1000 && std::chrono::steady_clock::now() < deadline) {
    auto batch = consumer.poll_batch(100, 500ms);
    std::size_t records = 0;
    for (const auto& r : batch) records += !r.error();
    total += records;
    largest = std::max(largest, records);
    batches += records > 0;
  }
  std::cout << "poll_batch(100): " << total << " records in " << batches << " batches\n";
  EXPECT_EQ(total, 1000u);
  EXPECT_LE(largest, 100u);
  EXPECT_EQ(largest, 100u) << "with 1000 waiting, a batch fills up";
}

}  // namespace
