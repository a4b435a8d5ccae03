// The checklist's judging on its own: each check turns a snapshot into ok, warn, fail or
// skipped, with the names and numbers an operator needs.
#include "klab/lab/doctor.hpp"

#include <gtest/gtest.h>

namespace {
using klab::lab::DoctorFinding;
using klab::lab::DoctorSnapshot;
using klab::lab::DoctorThresholds;
using Status = DoctorFinding::Status;
using klab::cluster::MetricSample;

DoctorSnapshot healthy() {
  DoctorSnapshot s;
  klab::client::TopicDescription orders{"orders", {}, {}};
  for (int p = 0; p < 3; ++p) orders.partitions.push_back({p, p + 1, {1, 2, 3}, {1, 2, 3}, {}});
  s.topics = {orders};
  s.min_insync_replicas["orders"] = 2;
  s.quorum = klab::cluster::QuorumStatus{"id", 1, 5, 100, 0, 0, {1, 2, 3}, {}};
  std::vector<MetricSample> node{{"kafka_controller_active_controller_count", {}, 0},
                                 {"kafka_server_isr_shrinks_total", {}, 4},
                                 {"kafka_server_isr_expands_total", {}, 4},
                                 {"kafka_server_request_handler_idle_ratio", {}, 0.97}};
  s.metrics_before = {node, node, node};
  s.metrics_after = s.metrics_before;
  s.metrics_after[0][0].value = 1;
  s.group_lag["billing"] = {10, 12};
  s.disk_use["/data/node-1"] = 0.4;
  s.interval = std::chrono::seconds(2);
  s.taken_at = std::chrono::system_clock::time_point(std::chrono::seconds(100'000));
  for (auto& node : s.metrics_after) node.push_back({"process_start_time_seconds", {}, 90'000});
  return s;
}

const DoctorFinding& finding(const std::vector<DoctorFinding>& all, const std::string& check) {
  for (const auto& f : all)
    if (f.check == check) return f;
  throw std::runtime_error("no check " + check);
}

TEST(Doctor, AHealthyClusterPassesEveryCheck) {
  auto findings = klab::lab::evaluate(healthy(), {});
  ASSERT_EQ(findings.size(), 9u);
  for (const auto& f : findings) EXPECT_EQ(f.status, Status::ok) << f.check << ": " << f.detail;
  EXPECT_FALSE(klab::lab::needs_attention(findings));
}

TEST(Doctor, AReplicaOutOfTheIsrIsUnderReplicatedAndBelowMinIsrOnlyWhenTooFewRemain) {
  auto s = healthy();
  s.topics[0].partitions[1].isr = {2, 3};
  auto one_missing = klab::lab::evaluate(s, {});
  EXPECT_EQ(finding(one_missing, "under-replicated partitions").status, Status::fail);
  EXPECT_NE(finding(one_missing, "under-replicated partitions").detail.find("orders-1"),
            std::string::npos);
  EXPECT_EQ(finding(one_missing, "under min ISR").status, Status::ok);
  s.topics[0].partitions[1].isr = {2};
  auto two_missing = klab::lab::evaluate(s, {});
  EXPECT_EQ(finding(two_missing, "under min ISR").status, Status::fail);
  EXPECT_NE(finding(two_missing, "under min ISR").detail.find("orders-1 (1 of 2)"),
            std::string::npos);
  EXPECT_TRUE(klab::lab::needs_attention(two_missing));
}

TEST(Doctor, MinIsrAboveTheReplicationFactorCountsAsTheReplicationFactorAsKafka4Does) {
  auto s = healthy();
  for (auto& p : s.topics[0].partitions) p.replicas = p.isr = {p.leader};
  s.min_insync_replicas["orders"] = 2;
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "under min ISR").status, Status::ok);
}

TEST(Doctor, APartitionWithoutALeaderIsOffline) {
  auto s = healthy();
  s.topics[0].partitions[2].leader = -1;
  s.topics[0].partitions[2].isr = {};
  auto f = finding(klab::lab::evaluate(s, {}), "offline partitions");
  EXPECT_EQ(f.status, Status::fail);
  EXPECT_NE(f.detail.find("orders-2"), std::string::npos);
  EXPECT_NE(f.fix.find("unclean.leader.election"), std::string::npos);
}

TEST(Doctor, NoQuorumLeaderOrTwoActiveControllersFailTheControllerCheck) {
  auto s = healthy();
  s.metrics_after[1][0].value = 1;
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "active controller").status, Status::fail);
  s = healthy();
  s.quorum.reset();
  s.quorum_error = "kafka-metadata-quorum failed (timed out)";
  auto f = finding(klab::lab::evaluate(s, {}), "active controller");
  EXPECT_EQ(f.status, Status::fail);
  EXPECT_NE(f.detail.find("timed out"), std::string::npos);
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "quorum lag").status, Status::skipped);
}

TEST(Doctor, AFollowerBehindTheMetadataLogForLongIsFlagged) {
  auto s = healthy();
  s.quorum->max_follower_lag = 40;
  s.quorum->max_follower_lag_time_ms = 15'000;
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "quorum lag").status, Status::warn);
}

TEST(Doctor, RatesComeFromTwoSamplesAndThresholdsDecideTheRest) {
  auto s = healthy();
  s.metrics_after[2][1].value = 6;  // two shrinks on node 3 between the samples
  auto churn = finding(klab::lab::evaluate(s, {}), "ISR shrink/expand");
  EXPECT_EQ(churn.status, Status::warn);
  EXPECT_NE(churn.detail.find("2 shrink(s) and 0 expand(s) in 2.0 s"), std::string::npos)
      << churn.detail;
  s.metrics_after[1][3].value = 0.1;
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "request handler idle").status, Status::warn);
  s.disk_use["/data/node-2"] = 0.9;
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "disk use").status, Status::fail);
  s.group_lag["billing"] = {100, 900};
  EXPECT_EQ(finding(klab::lab::evaluate(s, {}), "consumer lag growing").status, Status::warn);
}

TEST(Doctor, TheIdleRatioOfABrokerUpForLessThanAMinuteIsNotJudged) {
  auto s = healthy();
  for (auto& node : s.metrics_after) {
    node[3].value = 0.0;         // the one-minute rate of a fresh broker
    node.back().value = 99'970;  // started 30 s before the snapshot
  }
  auto f = finding(klab::lab::evaluate(s, {}), "request handler idle");
  EXPECT_EQ(f.status, Status::skipped);
  EXPECT_NE(f.detail.find("3 broker(s) up for less than a minute"), std::string::npos) << f.detail;
}

TEST(Doctor, ChecksWithoutTheirSourceAreSkippedNotPassed) {
  auto s = healthy();
  s.metrics_before.clear();
  s.metrics_after.clear();
  s.disk_use.clear();
  auto findings = klab::lab::evaluate(s, {});
  for (const char* check : {"ISR shrink/expand", "request handler idle", "disk use"})
    EXPECT_EQ(finding(findings, check).status, Status::skipped) << check;
}

}  // namespace
