// 8.3.4 Monitoring checklist: each problem an operator watches for, caused on a real 3-node
// cluster, flagged by the checklist (`klab doctor`, the console's Doctor page) and cleared once
// the cause is gone.
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/lab/doctor.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::lab::DoctorFinding;
using klab::testing::cluster;
using klab::testing::unique_name;
using Status = DoctorFinding::Status;

klab::lab::DoctorSources sources() {
  auto paths = klab::cluster::LabPaths::discover();
  klab::lab::DoctorSources s{cluster().client_config(),
                             cluster().bootstrap(),
                             std::nullopt,
                             klab::cluster::KafkaRuntime::locate(paths),
                             cluster().metrics_urls(),
                             {}};
  if (!cluster().external())
    for (int id = 1; id <= cluster().node_count(); ++id)
      s.data_dirs.push_back(cluster().local().node_dir(id) / "data");
  return s;
}

// The machine's disk is not this lesson's to judge: the disk check gets its own test.
klab::lab::DoctorThresholds thresholds() {
  klab::lab::DoctorThresholds t;
  t.max_disk_use = 1.0;
  return t;
}

std::vector<DoctorFinding> doctor(std::chrono::milliseconds interval = 1s,
                                  klab::lab::DoctorThresholds t = thresholds()) {
  auto findings = klab::lab::evaluate(klab::lab::collect(sources(), interval), t);
  for (const auto& f : findings)
    std::cout << "  " << klab::lab::to_string(f.status) << "  " << f.check << ": " << f.detail
              << "\n";
  return findings;
}

const DoctorFinding& finding(const std::vector<DoctorFinding>& all, const std::string& check) {
  for (const auto& f : all)
    if (f.check == check) return f;
  throw std::runtime_error("no check " + check);
}

Status status_of(const std::vector<DoctorFinding>& all, const std::string& check) {
  return finding(all, check).status;
}

// Checks settle at their own pace (an ISR grows back after a restart): ask until they pass.
void await_clear(const std::vector<std::string>& checks) {
  std::vector<DoctorFinding> last;
  bool clear = klab::cluster::await_until(
      [&] {
        last = doctor();
        for (const auto& c : checks)
          if (status_of(last, c) != Status::ok) return false;
        return true;
      },
      scaled(90s), 1s);
  EXPECT_TRUE(clear) << "still flagged after the cause was removed";
}

// Every test leaves all three nodes running, whatever it stopped, even when it fails midway.
class P8Doctor : public ::testing::Test {
 protected:
  void TearDown() override {
    if (!cluster().external()) klab::testing::restore_all_nodes();
  }
};

TEST_F(P8Doctor, AHealthyClusterPassesTheChecklist) {
  KLAB_ROADMAP("8.3.4");
  klab::testing::create_topic(unique_name("healthy"), 3, 3, {{"min.insync.replicas", "2"}});
  await_clear({"under-replicated partitions", "offline partitions", "under min ISR",
               "active controller", "quorum lag", "consumer lag growing"});
}

TEST_F(P8Doctor, AStoppedBrokerIsFlaggedUnderReplicatedUnderMinIsrAndOfflineThenClearsOnItsReturn) {
  KLAB_ROADMAP("8.3.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto replicated = unique_name("rf3");
  auto single = unique_name("rf1");
  klab::testing::create_topic(replicated, 1, 3, {{"min.insync.replicas", "3"}});
  klab::testing::create_topic(single, 3, 1);  // one partition per broker
  cluster().local().stop_node(3);
  klab::testing::await_isr_size(replicated, 0, 2, scaled(60s));

  auto down = doctor();
  EXPECT_EQ(status_of(down, "under-replicated partitions"), Status::fail);
  EXPECT_NE(finding(down, "under-replicated partitions").detail.find(replicated + "-0"),
            std::string::npos);
  EXPECT_EQ(status_of(down, "under min ISR"), Status::fail);
  EXPECT_NE(finding(down, "under min ISR").detail.find(replicated + "-0 (2 of 3)"),
            std::string::npos);
  EXPECT_EQ(status_of(down, "offline partitions"), Status::fail);
  EXPECT_NE(finding(down, "offline partitions").detail.find(single), std::string::npos);
  EXPECT_EQ(status_of(down, "active controller"), Status::ok) << "2 of 3 voters still lead";
  EXPECT_TRUE(klab::lab::needs_attention(down));

  // The return, watched: the node starts right after the first sample; the second comes 5 s
  // after its ISRs are full again, time for the leaders to count the expansions.
  auto watched = klab::lab::collect(sources(), 5s, [&] {
    cluster().local().start_node(3);
    klab::testing::await_isr_size(replicated, 0, 3, scaled(60s));
  });
  auto churn = finding(klab::lab::evaluate(watched, thresholds()), "ISR shrink/expand");
  std::cout << "while node 3 returned: " << churn.detail << "\n";
  EXPECT_EQ(churn.status, Status::warn);

  await_clear(
      {"under-replicated partitions", "under min ISR", "offline partitions", "ISR shrink/expand"});
}

TEST_F(P8Doctor, WithoutAQuorumMajorityThereIsNoActiveControllerUntilTheVotersReturn) {
  KLAB_ROADMAP("8.3.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  cluster().local().kill_node(2);
  cluster().local().kill_node(3);
  // The leader resigns once it misses the majority's fetches (controller.quorum.fetch.timeout.ms).
  std::vector<DoctorFinding> lost;
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        lost = doctor();
        return status_of(lost, "active controller") == Status::fail;
      },
      scaled(90s), 1s));
  std::cout << "fix: " << finding(lost, "active controller").fix << "\n";
  cluster().local().start_nodes({2, 3});
  await_clear({"active controller"});
}

TEST_F(P8Doctor, AFrozenControllerFallsBehindTheMetadataLogAndIsFlaggedUntilItResumes) {
  KLAB_ROADMAP("8.3.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto quorum = klab::cluster::describe_quorum(
      klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover()),
      cluster().bootstrap());
  int follower = quorum.leader_id == 3 ? 2 : 3;
  // Asked through the leader only, as an operator would: a client bootstrapping at the frozen
  // node waits on it for a whole request timeout.
  auto through_leader = sources();
  through_leader.bootstrap = cluster().local().node_bootstrap(quorum.leader_id);
  through_leader.client.bootstrap_servers(through_leader.bootstrap);
  auto t = thresholds();
  t.max_quorum_lag_time = 3s;
  cluster().local().pause_node(follower);  // SIGSTOP: a long GC pause
  // The leader appends to the metadata log at least every 500 ms
  // (metadata.max.idle.interval.ms), so a silent follower's lag grows by itself.
  std::vector<DoctorFinding> frozen;
  bool flagged = klab::cluster::await_until(
      [&] {
        frozen = klab::lab::evaluate(klab::lab::collect(through_leader, 1s), t);
        return status_of(frozen, "quorum lag") == Status::warn;
      },
      scaled(60s), 1s);
  cluster().local().resume_node(follower);
  EXPECT_TRUE(flagged) << finding(frozen, "quorum lag").detail;
  std::vector<DoctorFinding> resumed;
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        resumed = klab::lab::evaluate(klab::lab::collect(through_leader, 1s), t);
        return status_of(resumed, "quorum lag") == Status::ok;
      },
      scaled(90s), 1s))
      << finding(resumed, "quorum lag").detail;
}

TEST_F(P8Doctor, AGroupFallingBehindItsProducerIsFlaggedAndClearsOnceItCatchesUp) {
  KLAB_ROADMAP("8.3.4");
  auto topic = unique_name("lagging");
  auto group = unique_name("slow-readers");
  klab::testing::create_topic(topic, 1, 3);
  klab::client::Admin admin(cluster().client_config());
  admin.alter_group_offsets(group, {{topic, 0, 0}}, scaled(30s));  // the group read nothing yet

  std::atomic<bool> writing{true};
  std::thread producer_thread([&] {
    klab::client::Producer producer(cluster().client_config().acks("1").linger_ms(5));
    while (writing) {
      for (int i = 0; i < 50; ++i) (void)producer.send({.topic = topic, .value = "event"});
      std::this_thread::sleep_for(100ms);  // about 500 records/s: the pace of the writer
    }
    producer.flush(scaled(30s));
  });
  auto behind = doctor(3s);
  writing = false;
  producer_thread.join();
  EXPECT_EQ(status_of(behind, "consumer lag growing"), Status::warn);
  EXPECT_NE(finding(behind, "consumer lag growing").detail.find(group), std::string::npos);

  auto end = admin.watermark_offsets(topic, 0, scaled(10s)).high;
  admin.alter_group_offsets(group, {{topic, 0, end}}, scaled(30s));  // the group caught up
  await_clear({"consumer lag growing"});
}

TEST_F(P8Doctor, IdleRatioAndDiskUseAreTheBrokersRealValuesJudgedByTheThresholds) {
  KLAB_ROADMAP("8.3.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // disk use is read from the nodes' data directories
  // A broker's one-minute idle rate means something once it has run for a minute.
  klab::lab::DoctorSnapshot snapshot;
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        snapshot = klab::lab::collect(sources(), 1s);
        return status_of(klab::lab::evaluate(snapshot, {}), "request handler idle") !=
               Status::skipped;
      },
      scaled(120s), 5s));
  klab::lab::DoctorThresholds lenient, strict;
  lenient.max_disk_use = 1.0;
  lenient.min_request_handler_idle = 0.0;
  strict.max_disk_use = 0.0;               // any data at all is "too much"
  strict.min_request_handler_idle = 1.01;  // no broker is ever more than fully idle
  auto relaxed = klab::lab::evaluate(snapshot, lenient);
  auto tight = klab::lab::evaluate(snapshot, strict);
  std::cout << finding(relaxed, "request handler idle").detail << "; "
            << finding(relaxed, "disk use").detail << "\n";
  EXPECT_EQ(status_of(relaxed, "request handler idle"), Status::ok);
  EXPECT_EQ(status_of(relaxed, "disk use"), Status::ok);
  EXPECT_EQ(status_of(tight, "request handler idle"), Status::warn);
  EXPECT_EQ(status_of(tight, "disk use"), Status::fail);
  EXPECT_NE(finding(tight, "disk use").detail.find("node-1"), std::string::npos);
}

}  // namespace
