#include <gtest/gtest.h>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/quorum.hpp"

namespace {

// Captured from `kafka-metadata-quorum describe --status` against a 3-node lab (Kafka 4.4).
constexpr const char* three_voters = R"(ClusterId:              nbfNhOBgTM6iu7dxkmtdxA
LeaderId:               2
LeaderEpoch:            7
HighWatermark:          1234
MaxFollowerLag:         3
MaxFollowerLagTimeMs:   12
CurrentVoters:          [{"id": 1, "endpoints": ["CONTROLLER://127.0.0.1:9192"]}, {"id": 2, "endpoints": ["CONTROLLER://127.0.0.1:9193"]}, {"id": 3, "endpoints": ["CONTROLLER://127.0.0.1:9194"]}]
CurrentObservers:       []
)";

TEST(QuorumStatusParse, ReadsLeaderEpochAndEveryVoter) {
  auto q = klab::cluster::parse_quorum_status(three_voters);
  EXPECT_EQ(q.cluster_id, "nbfNhOBgTM6iu7dxkmtdxA");
  EXPECT_EQ(q.leader_id, 2);
  EXPECT_EQ(q.leader_epoch, 7);
  EXPECT_EQ(q.high_watermark, 1234);
  EXPECT_EQ(q.max_follower_lag, 3);
  EXPECT_EQ(q.max_follower_lag_time_ms, 12);
  EXPECT_EQ(q.voters, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(q.observers.empty());
}

TEST(QuorumStatusParse, RejectsOutputWithoutLeader) {
  EXPECT_THROW(klab::cluster::parse_quorum_status("Error: timed out\n"),
               klab::cluster::ClusterError);
}

}  // namespace
