// 8.1.3 Version upgrade: a 3-node cluster of the previous Kafka (kafka/previous/pom.xml) rolled
// to the lab's pinned version one node at a time while a producer and a consumer run; rollback
// works until metadata.version is finalized, and not after.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/lab/upgrade.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/extra_cluster.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::DeliveryLedger;
using klab::testing::ExtraCluster;

// A producer and a consumer that run through the whole roll on their own threads.
class Traffic {
 public:
  Traffic(const klab::client::Config& config, const std::string& topic)
      : ledger_(topic),
        producer_([this, config, topic] {
          auto p = config;
          klab::client::Producer producer(p.acks("all").enable_idempotence(true));
          for (int i = 0; running_; ++i) {
            (void)ledger_.send(producer, "account-" + std::to_string(i % 20));
            std::this_thread::sleep_for(10ms);  // the application's pace: ~100 records/s
          }
          producer.flush(scaled(120s));
        }),
        consumer_([this, config, topic] {
          auto c = config;
          c.group_id("upgrade.billing").set("auto.offset.reset", "earliest");
          klab::client::Consumer consumer(c);
          consumer.subscribe({topic});
          while (running_ || !drained_) {
            auto r = consumer.poll(200ms);
            if (!r) {
              if (!running_) drained_ = caught_up();
              continue;
            }
            if (r->error()) continue;
            std::lock_guard lock(mutex_);
            read_.push_back({r->partition(), r->offset(), std::string(r->key().value_or("")),
                             std::string(r->value().value_or(""))});
          }
        }) {}
  ~Traffic() { stop(); }
  void stop() {
    running_ = false;
    if (producer_.joinable()) producer_.join();
    if (consumer_.joinable()) consumer_.join();
  }
  const DeliveryLedger& ledger() const { return ledger_; }
  klab::testing::LedgerReport consumed() const {
    std::lock_guard lock(mutex_);
    return ledger_.compute(read_);
  }

 private:
  bool caught_up() const {
    std::lock_guard lock(mutex_);
    auto outcomes = ledger_.outcomes();
    return outcomes.unreported == 0 && ledger_.compute(read_).lost == 0;
  }
  DeliveryLedger ledger_;
  std::atomic<bool> running_{true};
  std::atomic<bool> drained_{false};
  mutable std::mutex mutex_;
  std::vector<DeliveryLedger::Consumed> read_;
  std::thread producer_, consumer_;
};

TEST(P8Upgrade, ARollingUpgradeUnderTrafficLosesNothingAndRollsBackOnlyUntilFinalized) {
  KLAB_ROADMAP("8.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // starts its own cluster of the previous version
  auto paths = klab::cluster::LabPaths::discover();
  const auto previous =
      klab::cluster::KafkaRuntime::locate(paths, paths.kafka_previous_libs).kafka_version();
  const auto tools = klab::cluster::KafkaRuntime::locate(paths);  // the pinned Kafka and its tools
  ExtraCluster lab({.nodes = 3, .kafka_libs = paths.kafka_previous_libs});
  auto& nodes = lab.local();
  klab::client::Admin admin(lab.client_config());
  const std::string topic = "upgrade.payments";
  constexpr int partitions = 6;
  admin.create_topic({.name = topic,
                      .partitions = partitions,
                      .replication_factor = 3,
                      .configs = {{"min.insync.replicas", "2"}}},
                     scaled(30s));
  const klab::cluster::ClusterTarget target{lab.bootstrap()};
  const auto before = klab::lab::finalized_metadata_version(tools, target);

  Traffic traffic(lab.client_config(), topic);
  auto roll = [&](int id, const std::optional<std::filesystem::path>& libs) {
    klab::lab::roll_node(nodes, id, libs, lab.client_config(), scaled(120s),
                         [](const std::string& line) { std::cout << line << "\n"; });
  };
  for (int id = 1; id <= 3; ++id) roll(id, std::nullopt);
  for (int id = 1; id <= 3; ++id) EXPECT_EQ(nodes.node_kafka_version(id), tools.kafka_version());
  EXPECT_EQ(klab::lab::finalized_metadata_version(tools, target), before)
      << "new binaries keep the old metadata.version until it is finalized";

  roll(2, paths.kafka_previous_libs);  // rollback, allowed: nothing new was finalized
  EXPECT_EQ(nodes.node_kafka_version(2), previous);
  roll(2, std::nullopt);

  klab::lab::finalize_upgrade(tools, target);
  const auto release = klab::lab::release_of(tools.kafka_version());  // "4.4"
  const auto after = klab::lab::finalized_metadata_version(tools, target);
  EXPECT_NE(after, before);
  EXPECT_EQ(after.rfind(release + "-IV", 0), 0u) << after;

  // Now an old node cannot read the metadata log any more.
  nodes.stop_node(3);
  nodes.set_node_kafka_libs(3, paths.kafka_previous_libs);
  std::string refusal;
  try {
    nodes.start_node(3);
  } catch (const klab::cluster::ClusterError& e) {
    refusal = std::string(e.what()) + "\n" + e.details();
  }
  EXPECT_NE(refusal.find("No MetadataVersion with feature level"), std::string::npos) << refusal;
  roll(3, std::nullopt);

  traffic.stop();
  auto log = traffic.ledger().reconcile(lab.client_config(), scaled(120s));
  auto seen = traffic.consumed();
  std::cout << "metadata.version " << before << " -> " << after << "; the log:\n"
            << log << "\nthe consumer:\n"
            << seen << "\n";
  EXPECT_EQ(log.unreported, 0u);
  EXPECT_EQ(log.failed + log.uncertain, 0u) << "no record failed during the roll";
  EXPECT_EQ(log.lost, 0u);
  EXPECT_EQ(log.duplicates, 0u) << "idempotence: retries across leader moves wrote nothing twice";
  EXPECT_EQ(log.order_violations, 0u);
  EXPECT_EQ(seen.lost, 0u) << "the consumer saw every record through the roll";
}

}  // namespace
