// 1.1 KRaft vs ZooKeeper: the metadata quorum lives inside Kafka itself.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/quorum.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::testing::cluster;

klab::cluster::QuorumStatus quorum() {
  auto rt = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover());
  return klab::cluster::describe_quorum(rt, cluster().bootstrap());
}

TEST(P1KRaft, QuorumHasThreeVotersAndOneLeaderAmongThem) {
  KLAB_ROADMAP("1.1.2");
  KLAB_REQUIRE_BROKERS(3);
  auto q = quorum();
  EXPECT_EQ(q.voters.size(), 3u);
  EXPECT_NE(std::find(q.voters.begin(), q.voters.end(), q.leader_id), q.voters.end())
      << "the leader " << q.leader_id << " is one of the voters";
  EXPECT_GE(q.leader_epoch, 1);
  EXPECT_GT(q.high_watermark, 0) << "metadata is a replicated log with committed records";
}

TEST(P1KRaft, NoZooKeeperAnywhereAndMetadataIsAKafkaLog) {
  KLAB_ROADMAP("1.1.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto& lab = cluster().local();
  for (int id = 1; id <= lab.node_count(); ++id) {
    std::ifstream in(lab.node_dir(id) / "server.properties");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("zookeeper"), std::string::npos) << "node " << id;
    EXPECT_NE(text.str().find("process.roles=broker,controller"), std::string::npos)
        << "node " << id;
    EXPECT_TRUE(fs::exists(lab.node_dir(id) / "data" / "__cluster_metadata-0" / "quorum-state"))
        << "node " << id << " keeps cluster metadata in the __cluster_metadata log";
  }
  for (const auto& n : lab.nodes()) {
    auto cmd = klab::cluster::process_cmdline(n.pid);
    EXPECT_NE(cmd.find("kafka.Kafka"), std::string::npos);
    EXPECT_EQ(cmd.find("zookeeper"), std::string::npos);
  }
}

TEST(P1KRaft, KillingTheQuorumLeaderElectsANewOneInAHigherEpoch) {
  KLAB_ROADMAP("1.1.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  KLAB_REQUIRE_BROKERS(3);
  auto before = quorum();
  ASSERT_GE(before.leader_id, 1);
  cluster().local().kill_node(before.leader_id);
  klab::cluster::QuorumStatus after;
  bool elected = klab::cluster::await_until(
      [&] {
        try {
          after = quorum();
        } catch (const std::exception&) {
          return false;
        }
        return after.leader_id >= 1 && after.leader_id != before.leader_id;
      },
      klab::cluster::scaled(60s), 500ms);
  EXPECT_TRUE(elected) << "2 of 3 voters are a majority: they elect a leader";
  EXPECT_GT(after.leader_epoch, before.leader_epoch);
  cluster().local().start_node(before.leader_id);
}

}  // namespace
