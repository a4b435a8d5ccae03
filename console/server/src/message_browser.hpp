#pragma once
// The message browser: reads a window of a topic with an assign()ed consumer (no group, nothing
// committed), optionally filtered by a case-insensitive search, within a scan cap.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cluster_access.hpp"

namespace klab::console {

struct BrowseRequest {
  std::string topic;
  std::string from = "beginning";  ///< beginning | end | offset | timestamp
  std::optional<std::int64_t> offset, timestamp_ms;
  std::optional<std::int32_t> partition;
  std::int64_t limit = 50;
  std::string query;          ///< lower-case; "" matches everything
  std::string field = "any";  ///< any | key | value | header
};

inline constexpr std::int64_t scan_cap = 10'000;

/// {messages:[record_json...], scanned, truncated}. Throws ApiError not_found for an unknown
/// topic or partition, KafkaException for cluster failures.
nlohmann::json browse_messages(ClusterAccess& access, const BrowseRequest& request);

/// The partition ids of `topic` (one metadata request). Throws ApiError not_found.
std::vector<std::int32_t> topic_partitions(ClusterAccess& access, const std::string& topic);

}  // namespace klab::console
