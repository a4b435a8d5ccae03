// 8.3.2 Key design: the key decides the partition, so a hot key makes a hot partition, fewer
// keys than partitions leave partitions idle, and order holds per key only.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

// Bytes of record values per partition, read back from the topic.
std::map<std::int32_t, std::size_t> bytes_per_partition(const std::string& topic) {
  std::map<std::int32_t, std::size_t> bytes;
  klab::client::read_to_end(cluster().client_config(), topic, [&](const klab::client::Record& r) {
    bytes[r.partition()] += r.value() ? r.value()->size() : 0;
  });
  return bytes;
}

void produce_keys(const std::string& topic, int records,
                  const std::function<std::string(int)>& key) {
  klab::client::Producer producer(cluster().client_config().acks("all").linger_ms(20));
  for (int i = 0; i < records; ++i)
    ASSERT_FALSE(producer.send({.topic = topic, .key = key(i), .value = std::string(100, 'v')}));
  ASSERT_FALSE(producer.flush(scaled(60s)));
}

TEST(P8KeyDesign, AHotKeyPutsItsWholeShareOnOnePartition) {
  KLAB_ROADMAP("8.3.2");
  auto topic = unique_name("hot");
  klab::testing::create_topic(topic, 6, 1);
  // Half of all events belong to one celebrity account; the rest spread over 1,000 users.
  produce_keys(topic, 6000, [](int i) {
    return i % 2 ? std::string("celebrity") : "user-" + std::to_string(i % 1000);
  });
  auto bytes = bytes_per_partition(topic);
  std::size_t total = 0, hottest = 0;
  for (const auto& [p, b] : bytes) {
    total += b;
    hottest = std::max(hottest, b);
    std::cout << "  partition " << p << ": " << b * 100 / 600000 << "% of bytes\n";
  }
  ASSERT_EQ(total, 6000u * 100);
  EXPECT_GE(hottest * 100 / total, 50u) << "the celebrity's half plus its share of the others";
  EXPECT_GT(hottest * 6, total * 3) << "over 3x the even share of 1/6";
}

TEST(P8KeyDesign, FewerDistinctKeysThanPartitionsLeaveTheRestIdle) {
  KLAB_ROADMAP("8.3.2");
  auto few = unique_name("few-keys");
  auto many = unique_name("many-keys");
  klab::testing::create_topic(few, 12, 1);
  klab::testing::create_topic(many, 12, 1);
  produce_keys(few, 1200, [](int i) { return "region-" + std::to_string(i % 3); });
  produce_keys(many, 1200, [](int i) { return "device-" + std::to_string(i % 1000); });
  auto used_few = bytes_per_partition(few).size();
  auto used_many = bytes_per_partition(many).size();
  std::cout << "12 partitions: 3 keys use " << used_few << ", 1,000 keys use " << used_many << "\n";
  EXPECT_LE(used_few, 3u) << "a key has one partition, so 3 keys reach at most 3";
  EXPECT_EQ(used_many, 12u);
}

TEST(P8KeyDesign, OrderHoldsForEachKeyButNotAcrossKeys) {
  KLAB_ROADMAP("8.3.2");
  auto topic = unique_name("order");
  klab::testing::create_topic(topic, 4, 1);
  klab::testing::DeliveryLedger ledger(topic);
  klab::client::Producer producer(
      cluster().client_config().acks("all").enable_idempotence(true).linger_ms(5));
  for (int i = 0; i < 400; ++i)
    ASSERT_FALSE(ledger.send(producer, "account-" + std::to_string(i % 8)));
  ASSERT_FALSE(producer.flush(scaled(60s)));
  auto report = ledger.reconcile(cluster().client_config(), scaled(60s));

  // The topic read as one stream, partition after partition: sequence numbers go backwards
  // wherever a later-written record of another key comes first.
  std::vector<long> sequence;
  klab::client::read_to_end(cluster().client_config(), topic, [&](const klab::client::Record& r) {
    std::string value(*r.value());
    sequence.push_back(std::stol(value.substr(value.find('/') + 1)));
  });
  int backwards = 0;
  for (std::size_t i = 1; i < sequence.size(); ++i) backwards += sequence[i] < sequence[i - 1];
  std::cout << report << "\nread as one stream, the sequence went backwards " << backwards
            << " times\n";
  EXPECT_EQ(report.consumed_unique, 400u);
  EXPECT_EQ(report.order_violations, 0u) << "each key's records are in the order sent";
  EXPECT_GT(backwards, 0) << "across keys (partitions) there is no order";
}

}  // namespace
