#pragma once
// The monitoring checklist (8.3.4) evaluated against a cluster: what an operator's dashboard
// and alerts watch, each check with its finding and the fix. Collecting (admin calls, Kafka's
// quorum tool, exporter scrapes, two samples apart) is separate from judging, so the judging
// is tested on its own and the console and `klab doctor` share both.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/quorum.hpp"
#include "klab/cluster/target.hpp"

namespace klab::lab {

struct DoctorThresholds {
  /// Records the furthest KRaft follower may trail, and for how long, before it is flagged.
  long max_quorum_lag = 1000;
  std::chrono::milliseconds max_quorum_lag_time{10'000};
  /// RequestHandlerAvgIdlePercent (one-minute rate) below this: the I/O threads are saturated.
  double min_request_handler_idle = 0.3;
  /// Used share of the file system holding a node's log.dirs above this (0..1).
  double max_disk_use = 0.85;
  /// A group whose total lag grew by more than this between the samples is falling behind
  /// (a consumer that keeps up still shows a few records of lag now and then).
  std::int64_t min_lag_growth = 100;
};

/// Everything the checks judge: two samples `interval` apart where a rate or a trend matters.
struct DoctorSnapshot {
  std::vector<klab::client::TopicDescription> topics;  ///< internal ones included
  std::map<std::string, int> min_insync_replicas;      ///< per topic
  std::optional<klab::cluster::QuorumStatus> quorum;
  std::string quorum_error;  ///< why there is no quorum status (the tool's message)
  /// Per broker scrape at the first and second sample; empty when the cluster exposes none.
  std::vector<std::vector<klab::cluster::MetricSample>> metrics_before, metrics_after;
  std::string metrics_error;  ///< why a scrape failed (a broker down), if one did
  /// Per consumer group: total lag at the first and second sample.
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> group_lag;
  std::string group_lag_error;  ///< why groups could not be listed (a broker down), if so
  /// Per data directory: used share of its file system (0..1); empty for an external cluster.
  std::map<std::string, double> disk_use;
  std::chrono::milliseconds interval{0};           ///< between the two scrapes, as it turned out
  std::chrono::system_clock::time_point taken_at;  ///< against the brokers' start times
};

struct DoctorFinding {
  enum class Status { ok, warn, fail, skipped };
  std::string check;  ///< e.g. "under-replicated partitions"
  Status status = Status::ok;
  std::string detail;  ///< what was seen, with names and numbers
  std::string fix;     ///< what to do; empty when ok
};

/// The checks in their fixed order: under-replicated partitions, offline partitions, under
/// min ISR, active controller, quorum lag, ISR shrink/expand, request handler idle, disk use,
/// consumer lag growing. Pure. Errors: none.
std::vector<DoctorFinding> evaluate(const DoctorSnapshot& snapshot,
                                    const DoctorThresholds& thresholds);

/// Where the inputs come from.
struct DoctorSources {
  klab::client::Config client;
  std::string bootstrap;
  std::optional<std::filesystem::path> command_config;  ///< for Kafka's quorum tool
  std::optional<klab::cluster::KafkaRuntime> runtime;   ///< none: the quorum check is skipped
  std::vector<std::string> metrics_urls;                ///< none: metric checks are skipped
  std::vector<std::filesystem::path> data_dirs;         ///< none: the disk check is skipped
};

/// The sources for `target`: Kafka's quorum tool when the jars are there, the exporters of
/// metrics_urls(), and for the lab's own cluster its nodes' data directories. Errors: none.
DoctorSources doctor_sources(const klab::cluster::LabPaths& paths,
                             const klab::cluster::ClusterTarget& target);

/// Takes the two samples `interval` apart. Failures of one source (a broker down, the quorum
/// lost) are recorded in the snapshot for the checks to report, not thrown. `after_first_sample`
/// runs once the first scrape is taken (a test causes there the change the second should see);
/// the second sample is then taken `interval` after it returns.
/// Errors: KafkaException when no broker answers the metadata request at all; whatever
/// `after_first_sample` throws.
DoctorSnapshot collect(const DoctorSources& sources, std::chrono::milliseconds interval,
                       const std::function<void()>& after_first_sample = {});

std::string_view to_string(DoctorFinding::Status status);
/// True when any finding is warn or fail. Errors: none.
bool needs_attention(const std::vector<DoctorFinding>& findings);

}  // namespace klab::lab
