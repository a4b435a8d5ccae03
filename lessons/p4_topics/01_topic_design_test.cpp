// 4.1 Topic design: creating topics with configs (admin API and CLI), what the partition count
// decides, and what the replication factor buys.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/partitioner.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Admin;
using klab::client::Consumer;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

std::map<std::string, klab::client::ConfigEntry> config_of(const std::string& topic) {
  std::map<std::string, klab::client::ConfigEntry> out;
  for (auto& e : Admin(cluster().client_config()).describe_topic_config(topic, scaled(10s)))
    out[e.name] = e;
  return out;
}

TEST(P4TopicCreation, AdminApiCreatesATopicWithItsConfigOverrides) {
  KLAB_ROADMAP("4.1.1");
  auto topic = unique_name("events");
  klab::testing::create_topic(topic, 3, 1,
                              {{"retention.ms", "3600000"}, {"max.message.bytes", "200000"}});
  auto config = config_of(topic);
  EXPECT_EQ(config["retention.ms"].value, "3600000");
  EXPECT_EQ(config["retention.ms"].source, "DYNAMIC_TOPIC_CONFIG") << "set on this topic";
  EXPECT_EQ(config["max.message.bytes"].value, "200000");
  EXPECT_TRUE(config["cleanup.policy"].is_default) << "everything not given stays default";
  EXPECT_EQ(config["cleanup.policy"].value, "delete");
  EXPECT_EQ(klab::testing::partition_info(topic, 2).id, 2) << "3 partitions: 0, 1, 2";
}

TEST(P4TopicCreation, CliCreatesATopicWithConfigsOnTheSameCluster) {
  KLAB_ROADMAP("4.1.1");
  if (std::getenv("KLAB_CLIENT_PROPERTIES")) KLAB_SKIP("the CLI run gets no properties file");
  auto topic = unique_name("cli");
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  auto run = klab::cluster::run_command({KLAB_CLI, "topics", "create", topic, "--partitions", "2",
                                         "--config", "cleanup.policy=compact"},
                                        scaled(60s));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto config = config_of(topic);
  EXPECT_EQ(config["cleanup.policy"].value, "compact");
  EXPECT_EQ(klab::testing::partition_info(topic, 1).id, 1);

  auto again = klab::cluster::run_command({KLAB_CLI, "topics", "create", topic}, scaled(60s));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("TOPIC_ALREADY_EXISTS"), std::string::npos) << again.output;
}

// Members of one group polling in their own threads until the group settles.
class GroupOf {
 public:
  GroupOf(int members, const std::string& topic, const std::string& group) : group_(group) {
    for (int i = 0; i < members; ++i) {
      auto config = klab::testing::consumer_config(cluster().client_config(), group);
      consumers_.push_back(std::make_unique<Consumer>(config));
      consumers_.back()->subscribe({topic});
    }
    for (auto& c : consumers_)
      threads_.emplace_back([&c = *c, this](std::stop_token stop) {
        while (!stop.stop_requested() && !done_) c.poll(100ms);
      });
  }
  ~GroupOf() {
    done_ = true;
    threads_.clear();
  }
  // Partitions per member once the group is Stable with every member in it, every partition is
  // owned, and each member holds what the coordinator assigned it. Owning every partition alone
  // is not enough: an earlier generation with fewer members owns them all too.
  std::vector<std::size_t> await_settled(std::size_t partitions) {
    Admin admin(cluster().client_config());
    std::vector<std::size_t> sizes;
    klab::cluster::await_until(
        [&] {
          sizes.clear();
          std::size_t total = 0;
          for (auto& c : consumers_) {
            sizes.push_back(c->assignment().size());
            total += sizes.back();
          }
          if (total != partitions) return false;
          auto group = admin.describe_group(group_, scaled(10s));
          if (group.state != "Stable" || group.members.size() != consumers_.size()) return false;
          std::multiset<std::size_t> coordinator;
          for (const auto& m : group.members) coordinator.insert(m.assignment.size());
          return coordinator == std::multiset<std::size_t>(sizes.begin(), sizes.end());
        },
        scaled(60s), 200ms);
    return sizes;
  }

 private:
  std::string group_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::atomic<bool> done_{false};
  std::vector<std::jthread> threads_;
};

TEST(P4PartitionCount, FourConsumersOnThreePartitionsLeaveOneIdle) {
  KLAB_ROADMAP("4.1.2");
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 3, 1);
  GroupOf group(4, topic, unique_name("workers"));
  auto sizes = group.await_settled(3);
  std::multiset<std::size_t> shape(sizes.begin(), sizes.end());
  EXPECT_EQ(shape, (std::multiset<std::size_t>{0, 1, 1, 1}))
      << "a partition has one owner in a group: the 4th consumer gets nothing to do";
}

TEST(P4PartitionCount, AddingPartitionsMovesKeysToOtherPartitions) {
  KLAB_ROADMAP("4.1.2");
  auto topic = unique_name("grow");
  klab::testing::create_topic(topic, 3, 1);
  // New partitions reach a producer with its next metadata refresh: every 5 minutes by default.
  Producer producer(cluster()
                        .client_config()
                        .partitioner(klab::client::KeyHashPartitioner())
                        .set(klab::client::keys::topic_metadata_refresh_interval_ms, "1000"));
  std::vector<std::string> keys;
  for (int i = 0; i < 30; ++i) keys.push_back("order-" + std::to_string(i));
  auto place = [&] {
    std::map<std::string, int> at;
    for (const auto& k : keys) {
      auto r = producer.send_sync({.topic = topic, .key = k, .value = "v"}, scaled(30s));
      EXPECT_FALSE(r.error) << r.error.to_string();
      at[k] = r.partition;
    }
    return at;
  };
  auto before = place();
  Admin(cluster().client_config()).create_partitions(topic, 6, scaled(30s));
  klab::cluster::await_until(
      [&] {
        try {
          return !producer.send_sync({.topic = topic, .partition = 5, .key = "probe"}, 2s).error;
        } catch (const klab::KafkaException&) {
          return false;  // _UNKNOWN_PARTITION: the producer still knows only 3
        }
      },
      scaled(30s));
  std::map<std::string, int> after;
  klab::cluster::await_until(
      [&] {
        after = place();
        for (const auto& k : keys)
          if (after[k] != klab::client::java_key_partition(k, 6)) return false;
        return true;
      },
      scaled(30s), 500ms);
  int moved = 0;
  for (const auto& k : keys) moved += before[k] != after[k];
  std::cout << moved << " of " << keys.size() << " keys changed partition going from 3 to 6\n";
  EXPECT_GT(moved, 0) << "hash % 6 is not hash % 3: per-key order breaks across the change";
  for (const auto& k : keys) EXPECT_EQ(after[k], klab::client::java_key_partition(k, 6)) << k;
}

using P4ReplicationFactor = klab::testing::ChaosTest<3>;

TEST_F(P4ReplicationFactor, RfThreeWithMinIsrTwoKeepsAcceptingWritesWithOneBrokerDown) {
  KLAB_ROADMAP("4.1.3");
  auto topic = unique_name("durable");
  klab::testing::create_topic(topic, 1, 3, {{"min.insync.replicas", "2"}});
  auto p = klab::testing::partition_info(topic, 0);
  int follower = p.replicas[0] == p.leader ? p.replicas[1] : p.replicas[0];
  cluster().local().stop_node(follower);
  klab::testing::await_isr_size(topic, 0, 2, 60s);

  klab::testing::DeliveryLedger ledger(topic);
  Producer producer(cluster().client_config().acks("all"));
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "RF 3, min.insync.replicas 2, one broker stopped:\n" << report << '\n';
  EXPECT_EQ(report.acknowledged, 200u) << "2 in-sync replicas are enough";
  EXPECT_EQ(report.lost, 0u);
}

TEST(P4ReplicationFactorLimits, MoreReplicasThanBrokersIsRejectedWithAClearError) {
  KLAB_ROADMAP("4.1.3");
  Admin admin(cluster().client_config());
  int brokers = static_cast<int>(admin.describe_cluster(scaled(10s)).brokers.size());
  try {
    admin.create_topic(
        {.name = unique_name("toomany"), .partitions = 1, .replication_factor = brokers + 1},
        scaled(30s));
    FAIL() << "RF " << brokers + 1 << " was accepted on " << brokers << " brokers";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR) << e.what();
    std::cout << e.what() << '\n';
  }
}

}  // namespace
