#pragma once
// The KRaft quorum as Kafka's own kafka-metadata-quorum tool reports it: librdkafka has no
// DescribeQuorum call, and the tool works against any cluster, secured or not.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "klab/cluster/kafka_runtime.hpp"

namespace klab::cluster {

struct QuorumStatus {
  std::string cluster_id;
  int leader_id = -1;
  long leader_epoch = -1;
  long high_watermark = -1;
  long max_follower_lag = -1;          ///< records the furthest voter or observer trails by
  long max_follower_lag_time_ms = -1;  ///< how long since that follower last caught up
  std::vector<int> voters;
  std::vector<int> observers;
};

/// Parses the output of `kafka-metadata-quorum describe --status`.
/// Throws ClusterError when the text has no LeaderId line.
QuorumStatus parse_quorum_status(const std::string& text);

/// Runs the tool against `bootstrap` (with an optional client properties file).
/// Throws ClusterError with the tool's output when it fails.
/// `timeout` (scaled by KLAB_TIMEOUT_MULTIPLIER) ends a tool that gets no answer, e.g. while
/// the quorum has no leader.
QuorumStatus describe_quorum(const KafkaRuntime& runtime, const std::string& bootstrap,
                             const std::optional<std::filesystem::path>& command_config = {},
                             std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace klab::cluster
