// 1.1 Kafka architecture: brokers, topics, partitions and replicas on a real 3-node cluster.
#include <gtest/gtest.h>

#include <set>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::testing::cluster;
using klab::testing::unique_name;

TEST(P1Architecture, ClusterHasThreeBrokersEachWithItsOwnAddress) {
  KLAB_ROADMAP("1.1.1");
  KLAB_REQUIRE_BROKERS(3);
  klab::client::Admin admin(cluster().client_config());
  auto desc = admin.describe_cluster(klab::cluster::scaled(10s));
  ASSERT_EQ(desc.brokers.size(), 3u);
  std::set<int> ids;
  std::set<std::string> addresses;
  for (const auto& b : desc.brokers) {
    ids.insert(b.id);
    addresses.insert(b.host + ":" + std::to_string(b.port));
  }
  EXPECT_EQ(ids, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(addresses.size(), 3u) << "every broker listens on its own port";
  EXPECT_FALSE(desc.cluster_id.empty());
}

TEST(P1Architecture, PartitionLeadersSpreadOverBrokersWithFullIsr) {
  KLAB_ROADMAP("1.1.1");
  KLAB_REQUIRE_BROKERS(3);
  klab::client::Admin admin(cluster().client_config());
  auto topic = unique_name("spread");
  admin.create_topic({.name = topic, .partitions = 3, .replication_factor = 3},
                     klab::cluster::scaled(30s));
  std::vector<klab::client::TopicDescription> d;
  // Metadata reaches every broker shortly after creation: wait for all three leaders.
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        d = admin.describe_topics({topic}, klab::cluster::scaled(5s));
        if (d.size() != 1 || d[0].partitions.size() != 3) return false;
        for (auto& p : d[0].partitions)
          if (p.leader < 0 || p.isr.size() != 3) return false;
        return true;
      },
      klab::cluster::scaled(20s)));
  std::set<int> leaders;
  for (const auto& p : d[0].partitions) {
    leaders.insert(p.leader);
    EXPECT_EQ(p.replicas.size(), 3u) << "partition " << p.id << " has RF 3";
    EXPECT_EQ(std::set<int>(p.isr.begin(), p.isr.end()),
              std::set<int>(p.replicas.begin(), p.replicas.end()))
        << "every replica of partition " << p.id << " is in sync";
  }
  EXPECT_EQ(leaders, (std::set<int>{1, 2, 3})) << "one partition leader per broker";
}

TEST(P1Architecture, ReplicaTakesOverWhenTheLeaderBrokerIsKilled) {
  KLAB_ROADMAP("1.1.1");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  KLAB_REQUIRE_BROKERS(3);
  auto base = cluster().client_config();
  klab::client::Admin admin(base);
  auto topic = unique_name("failover");
  admin.create_topic({.name = topic,
                      .partitions = 1,
                      .replication_factor = 3,
                      .configs = {{"min.insync.replicas", "2"}}},
                     klab::cluster::scaled(30s));
  klab::testing::produce_values(base, topic, {"a", "b", "c"});
  int old_leader = admin.describe_topics({topic}, 5s).at(0).partitions.at(0).leader;
  ASSERT_GE(old_leader, 1);

  cluster().local().kill_node(old_leader);
  int new_leader = -1;
  bool moved = klab::cluster::await_until(
      [&] {
        try {
          auto d = admin.describe_topics({topic}, 2s);
          new_leader = d.at(0).partitions.at(0).leader;
        } catch (const std::exception&) {
          return false;
        }
        return new_leader >= 1 && new_leader != old_leader;
      },
      klab::cluster::scaled(60s));
  EXPECT_TRUE(moved) << "a follower in the ISR became leader";

  klab::client::Consumer consumer(klab::testing::consumer_config(base, unique_name("g")));
  consumer.subscribe({topic});
  auto records = klab::testing::consume_n(consumer, 3, 30s);
  std::vector<std::string> values;
  for (auto& r : records) values.emplace_back(r.value().value_or(""));
  EXPECT_EQ(values, (std::vector<std::string>{"a", "b", "c"}))
      << "the records survived on the replicas";
  consumer.close();
  cluster().local().start_node(old_leader);
}

}  // namespace
