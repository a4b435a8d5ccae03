#pragma once
// The JSON bodies built from the cached snapshot and metrics (no cluster call here).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cluster_snapshot.hpp"
#include "metrics_collector.hpp"

namespace klab::console {

nlohmann::json overview_json(const Snapshot& snapshot, const MetricsState& metrics,
                             const std::vector<std::string>& metrics_urls);
nlohmann::json topics_json(const Snapshot& snapshot, const MetricsState& metrics,
                           bool include_internal);
nlohmann::json partitions_json(const TopicState& topic);
nlohmann::json groups_json(const Snapshot& snapshot);
/// A group's detail; `timeline` is its rebalance timeline (ClusterRefresher::timeline).
nlohmann::json group_json(const GroupState& group, const std::vector<LagPoint>& history,
                          const std::vector<TimelineEntry>& timeline = {});
nlohmann::json metrics_json(const MetricsState& metrics);
nlohmann::json metrics_history_json(const std::vector<MetricsPoint>& history);

}  // namespace klab::console
