// 2.3 Failure handling: each way a send can fail reaches the caller as a specific error, and a
// delivery callback that parks or re-sends failed records leaves none behind.
#include <gtest/gtest.h>

#include <mutex>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::Admin;
using klab::client::Config;
using klab::client::DeliveryReport;
using klab::client::PersistenceStatus;
using klab::client::Producer;
using klab::client::ProducerRecord;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

std::int64_t high_watermark(const std::string& topic) {
  return Admin(cluster().client_config()).watermark_offsets(topic, 0, scaled(10s)).high;
}

TEST(P2FailureHandling, RecordOverTheClientsMessageMaxBytesIsRefusedBySendItself) {
  KLAB_ROADMAP("2.3.2");
  auto topic = unique_name("big");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config().set(klab::client::keys::message_max_bytes, "100000"));
  bool called = false;
  auto err = producer.send({.topic = topic, .value = std::string(200'000, 'x')},
                           [&](const DeliveryReport&) { called = true; });
  EXPECT_EQ(err.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << err.to_string();
  ASSERT_FALSE(producer.flush(scaled(10s)));
  EXPECT_FALSE(called) << "an immediate error means the callback never runs";
  EXPECT_EQ(high_watermark(topic), 0);
}

TEST(P2FailureHandling, RecordOverTheTopicsMaxMessageBytesIsRejectedByTheBroker) {
  KLAB_ROADMAP("2.3.2");
  auto topic = unique_name("capped");
  klab::testing::create_topic(topic, 1, 1, {{"max.message.bytes", "10000"}});
  Producer producer(cluster().client_config());
  auto report =
      producer.send_sync({.topic = topic, .value = std::string(20'000, 'x')}, scaled(30s));
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << report.error.to_string();
  EXPECT_EQ(report.status, PersistenceStatus::not_persisted);
  EXPECT_FALSE(report.error.retriable()) << "sending it again cannot help";
  EXPECT_EQ(high_watermark(topic), 0);
}

TEST(P2FailureHandling, UnknownTopicWithAutoCreationOffFailsInsteadOfAppearing) {
  KLAB_ROADMAP("2.3.2");
  auto topic = unique_name("typo");
  // How long librdkafka waits for a new topic to show up in metadata before giving up.
  Producer producer(
      cluster().client_config().set(klab::client::keys::topic_metadata_propagation_max_ms, "2000"));
  auto report = producer.send_sync({.topic = topic, .value = "v"}, scaled(30s));
  if (cluster().external() && !report.error)
    KLAB_SKIP("the external cluster created "
              << topic << " on first use: it runs with auto.create.topics.enable=true");
  // The broker's answer, not librdkafka's local _UNKNOWN_TOPIC: metadata said "no such topic".
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      << report.error.to_string();
  EXPECT_EQ(report.status, PersistenceStatus::not_persisted);
  Admin admin(cluster().client_config());
  auto desc = admin.describe_topics({topic}, scaled(10s));
  ASSERT_EQ(desc.size(), 1u);
  EXPECT_EQ(desc[0].error.code(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
      << "auto.create.topics.enable=false: the broker did not create it";
}

// Faults on a replica: the lab's own 3 brokers, and every node back afterwards.
class P2NotEnoughReplicas : public klab::testing::ChaosTest<3> {
 protected:
  // A topic that needs all 3 replicas in sync, with one of them stopped. (Kafka 4 caps the
  // effective min.insync.replicas at the replication factor, so fewer brokers can't fake it.)
  void topic_missing_a_replica(const std::string& topic,
                               std::map<std::string, std::string> configs = {}) {
    configs["min.insync.replicas"] = "3";
    klab::testing::create_topic(topic, 1, 3, configs);
    auto p = klab::testing::partition_info(topic, 0);
    for (int r : p.replicas)
      if (r != p.leader) {
        cluster().local().stop_node(r);  // clean stop: leaves the ISR at once
        break;
      }
    klab::testing::await_isr_size(topic, 0, 2, 60s);
  }
};

TEST_F(P2NotEnoughReplicas, TooFewInSyncReplicasFailsAcksAllWithNotEnoughReplicas) {
  KLAB_ROADMAP("2.3.2");
  auto topic = unique_name("minisr");
  topic_missing_a_replica(topic);
  Producer all(cluster().client_config().acks("all").set(klab::client::keys::retries, "0"));
  auto report = all.send_sync({.topic = topic, .value = "v"}, scaled(30s));
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS) << report.error.to_string();
  EXPECT_TRUE(report.error.retriable()) << "it may pass once replicas catch up";
  EXPECT_EQ(high_watermark(topic), 0);

  Producer one(cluster().client_config().acks("1"));
  EXPECT_FALSE(one.send_sync({.topic = topic, .value = "v"}, scaled(30s)).error)
      << "min.insync.replicas only binds acks=all";
}

TEST(P2FailureHandling, InvalidConfigFailsAtTheLineThatSetsItNamingTheKey) {
  KLAB_ROADMAP("2.3.2");
  try {
    Config().set(klab::client::keys::acks, "most");
    FAIL() << "acks=most was accepted";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_NE(std::string(e.what()).find("acks"), std::string::npos) << e.what();
  }
  // librdkafka takes any count of acks; the broker knows only 0, 1 and all.
  auto topic = unique_name("acks2");
  klab::testing::create_topic(topic, 1, 1);
  Producer two(cluster().client_config().acks("2").set(klab::client::keys::retries, "0"));
  auto report = two.send_sync({.topic = topic, .value = "v"}, scaled(30s));
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS)
      << report.error.to_string();
  try {
    Producer p(cluster().client_config().acks("1").enable_idempotence(true));
    FAIL() << "idempotence with acks=1 was accepted";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_NE(std::string(e.what()).find("acks"), std::string::npos) << e.what();
  }
}

// The callback pattern: the delivery callback sorts each failure — retriable ones wait to be
// re-sent, the rest are parked on a dead-letter topic — so every record ends somewhere known.
class FailureSorter {
 public:
  klab::client::DeliveryCallback watch(const ProducerRecord& record,
                                       klab::client::DeliveryCallback track) {
    return [this, record, track = std::move(track)](const DeliveryReport& r) {
      track(r);
      if (!r.error) return;
      std::lock_guard lock(mutex_);
      (r.error.retriable() ? retry_ : park_).push_back(record);
    };
  }
  std::vector<ProducerRecord> take_retries() {
    std::lock_guard lock(mutex_);
    return std::exchange(retry_, {});
  }
  std::vector<ProducerRecord> take_parked() {
    std::lock_guard lock(mutex_);
    return std::exchange(park_, {});
  }

 private:
  std::mutex mutex_;
  std::vector<ProducerRecord> retry_, park_;
};

TEST_F(P2NotEnoughReplicas, CallbackReSendsRetriableFailuresAndParksTheRestSoNoneIsDropped) {
  KLAB_ROADMAP("2.3.3 2.3.2");
  auto topic = unique_name("orders");
  auto dlt = topic + "-dlt";
  // Two faults at once: a replica short of min.insync.replicas (retriable) and a 10 kB cap on
  // record size (not retriable).
  topic_missing_a_replica(topic, {{"max.message.bytes", "10000"}});
  klab::testing::create_topic(dlt, 1, 1);

  DeliveryLedger ledger(topic);
  FailureSorter sorter;
  // batch.size below the topic cap keeps each oversized record in a batch of its own, so the
  // broker's rejection hits only that record.
  Producer producer(
      cluster().client_config().acks("all").set(klab::client::keys::retries, "0").batch_size(8000));
  for (int i = 0; i < 100; ++i) {
    auto record = ledger.next("order-" + std::to_string(i % 10), i % 10 == 9 ? 20'000 : 100);
    ASSERT_FALSE(producer.send(record, sorter.watch(record, ledger.track(record))));
  }
  ASSERT_FALSE(producer.flush(scaled(30s)));
  // The broker checks the ISR before it looks at a record, so round one fails them all alike.
  EXPECT_EQ(ledger.outcomes().acknowledged, 0u);
  auto retries = sorter.take_retries();
  EXPECT_EQ(retries.size(), 100u) << "NOT_ENOUGH_REPLICAS is retriable";
  EXPECT_TRUE(sorter.take_parked().empty());

  // The operator lowers the bar to the 2 replicas that are up (AlterConfigs replaces the
  // topic's overrides, so the size cap is restated); the application re-sends what it kept.
  Admin(cluster().client_config())
      .alter_topic_config(topic, {{"min.insync.replicas", "2"}, {"max.message.bytes", "10000"}},
                          scaled(30s));
  // Retries on from here: the new setting may take a moment to reach the partition leader.
  Producer again(
      cluster().client_config().acks("all").delivery_timeout_ms(30'000).batch_size(8000));
  for (const auto& record : retries) {
    auto copy = record;
    ASSERT_FALSE(again.send(copy, sorter.watch(record, ledger.track(record))));
  }
  ASSERT_FALSE(again.flush(scaled(30s)));
  EXPECT_TRUE(sorter.take_retries().empty());
  auto parked = sorter.take_parked();
  EXPECT_EQ(parked.size(), 10u) << "oversized: MSG_SIZE_TOO_LARGE is not retriable";
  for (auto record : parked) {
    record.topic = dlt;
    record.headers.add("klab.dlt.reason", "MSG_SIZE_TOO_LARGE");
    auto report = again.send_sync(record, scaled(30s));
    ASSERT_FALSE(report.error) << report.error.to_string();
  }

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "callback pattern, after re-sending the retriable failures:\n" << report << '\n';
  EXPECT_EQ(report.attempted, 100u);
  EXPECT_EQ(report.acknowledged, 90u);
  EXPECT_EQ(report.failed, 10u);
  EXPECT_EQ(report.consumed_unique, 90u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u);
  EXPECT_EQ(high_watermark(dlt), 10) << "the 10 parked records are on the dead-letter topic";
}

}  // namespace
