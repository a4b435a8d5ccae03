// 8.1.1 Topic management: guard rails on the broker (no automatic creation, a create-topic
// policy) and what growing a topic does to its keys.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "klab/client/admin.hpp"
#include "klab/client/partitioner.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

klab::Error create_error(const klab::client::NewTopic& topic) {
  klab::client::Admin admin(cluster().client_config());
  try {
    admin.create_topic(topic, scaled(30s));
  } catch (const klab::KafkaException& e) {
    std::cout << topic.name << ": " << e.error().to_string() << "\n";
    return e.error();
  }
  return {};
}

bool exists(const std::string& topic) {
  klab::client::Admin admin(cluster().client_config());
  auto names = admin.list_topics(false, scaled(10s));
  return std::find(names.begin(), names.end(), topic) != names.end();
}

TEST(P8TopicPolicy, ANameOutsideTheConventionOrTooManyPartitionsIsRefusedWithPolicyViolation) {
  KLAB_ROADMAP("8.1.1");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // the policy is this binary's broker setting
  auto no_domain = unique_name("orders");
  no_domain = no_domain.substr(no_domain.find('.') + 1);  // "<test>-orders-...": no domain part
  auto refused = create_error({.name = no_domain, .partitions = 3, .replication_factor = 1});
  EXPECT_EQ(refused.code(), RD_KAFKA_RESP_ERR_POLICY_VIOLATION);
  EXPECT_NE(refused.message().find("does not follow the naming convention"), std::string::npos)
      << refused.message();
  EXPECT_FALSE(exists(no_domain));

  auto wide = unique_name("wide");
  auto too_many = create_error({.name = wide, .partitions = 100, .replication_factor = 1});
  EXPECT_EQ(too_many.code(), RD_KAFKA_RESP_ERR_POLICY_VIOLATION);
  EXPECT_NE(too_many.message().find("asks for 100 partitions; the limit is 24"), std::string::npos)
      << too_many.message();
  EXPECT_FALSE(exists(wide));

  EXPECT_FALSE(create_error({.name = wide, .partitions = 24, .replication_factor = 1}))
      << "the same name within the limit is created";
  EXPECT_TRUE(exists(wide));
}

TEST(P8TopicPolicy, WithAutoCreateOffAProducersRecordToAMissingTopicFailsAndCreatesNothing) {
  KLAB_ROADMAP("8.1.1");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("typo");
  auto config = cluster().client_config();
  // librdkafka's producer asks the broker to create a missing topic (allow.auto.create.topics
  // is true for producers); the broker's auto.create.topics.enable=false is what stops it.
  config.set("allow.auto.create.topics", "true").delivery_timeout_ms(10'000);
  config.set("topic.metadata.propagation.max.ms", "2000");
  klab::client::Producer producer(config);
  DeliveryLedger ledger(topic);
  auto report = ledger.send_sync(producer, scaled(30s), std::string("k"));
  std::cout << "record to a missing topic: " << report.error.to_string() << "\n";
  EXPECT_TRUE(report.error == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
              report.error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      << report.error.to_string();
  EXPECT_EQ(report.status, klab::client::PersistenceStatus::not_persisted);
  EXPECT_FALSE(exists(topic)) << "nothing was created by the attempt";

  klab::testing::create_topic(topic, 1, 1);
  // This producer has learnt the topic does not exist (send() now fails at once with
  // _UNKNOWN_TOPIC until its next metadata refresh); a new one finds it.
  klab::client::Producer fresh(config);
  EXPECT_FALSE(ledger.send_sync(fresh, scaled(30s), std::string("k")).error)
      << "once created on purpose, the same record lands";
}

TEST(P8PartitionGrowth, AddingPartitionsMovesAboutHalfTheKeysAndSplitsEachMovedKeysHistory) {
  KLAB_ROADMAP("8.1.1");
  auto topic = unique_name("grow");
  klab::testing::create_topic(topic, 3, 1);
  auto config = cluster().client_config().acks("all");
  // librdkafka, like the Java client (metadata.max.age.ms), notices new partitions only at its
  // next metadata refresh: every 5 minutes by default, every second here.
  config.set("topic.metadata.refresh.interval.ms", "1000");
  klab::client::Producer producer(config);
  DeliveryLedger ledger(topic);
  constexpr int keys = 100;
  auto send_round = [&] {
    std::map<std::string, std::int32_t> partition_of;
    for (int k = 0; k < keys; ++k) {
      auto key = "customer-" + std::to_string(k);
      auto report = ledger.send_sync(producer, scaled(30s), key);
      EXPECT_FALSE(report.error) << report.error.to_string();
      partition_of[key] = report.partition;
    }
    return partition_of;
  };
  auto before = send_round();
  klab::client::Admin admin(cluster().client_config());
  admin.create_partitions(topic, 6, scaled(30s));
  klab::testing::await_leader(
      topic, 5, [](int leader) { return leader >= 0; }, scaled(30s));
  // The producer learns of the new partitions with its next metadata refresh; until then it
  // still hashes over 3. Wait until a probe key that must move has moved.
  std::string probe;
  for (int k = 0; probe.empty(); ++k)
    if (auto key = "probe-" + std::to_string(k);
        klab::client::java_key_partition(key, 3) != klab::client::java_key_partition(key, 6))
      probe = key;
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        return producer.send_sync({.topic = topic, .key = probe, .value = "probe"}, scaled(10s))
                   .partition == klab::client::java_key_partition(probe, 6);
      },
      scaled(60s), 500ms))
      << "the producer never saw 6 partitions";
  auto after = send_round();

  int moved = 0, predicted = 0;
  for (const auto& [key, p] : before) {
    EXPECT_EQ(p, klab::client::java_key_partition(key, 3)) << key;
    EXPECT_EQ(after[key], klab::client::java_key_partition(key, 6)) << key;
    moved += after[key] != p;
    predicted +=
        klab::client::java_key_partition(key, 3) != klab::client::java_key_partition(key, 6);
  }
  auto report = ledger.reconcile(cluster().client_config(), scaled(60s));
  std::cout << "3 -> 6 partitions: " << moved << " of " << keys << " keys moved\n"
            << report << "\n";
  EXPECT_EQ(moved, predicted) << "murmur2(key) % 6 decides, as the Java client does";
  EXPECT_GT(moved, keys / 4);
  EXPECT_LT(moved, keys * 3 / 4);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u);
}

}  // namespace
