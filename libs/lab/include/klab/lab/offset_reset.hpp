#pragma once
// Moving a stopped consumer group's committed offsets: one planner with one set of checks and
// targets, for `klab groups reset-offsets` and the console's reset button alike.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"

namespace klab::lab {

/// Where each partition's committed offset goes.
struct ResetTarget {
  enum class Kind {
    earliest,   ///< the oldest record still kept (log start)
    latest,     ///< the log end: skip everything written so far
    offset,     ///< `value` in every partition, clamped to what each partition holds
    timestamp,  ///< the first record at or after `value` (ms since the epoch), else the log end
  };
  Kind kind = Kind::earliest;
  std::int64_t value = 0;

  static ResetTarget earliest() { return {Kind::earliest, 0}; }
  static ResetTarget latest() { return {Kind::latest, 0}; }
  static ResetTarget to_offset(std::int64_t offset) { return {Kind::offset, offset}; }
  static ResetTarget to_timestamp(std::int64_t ms) { return {Kind::timestamp, ms}; }
};

/// "earliest", "latest", "offset 42", "2026-11-24T10:00:00.000Z". Errors: none.
std::string describe(const ResetTarget& target);

struct ResetRequest {
  std::string group;
  /// Every partition of these topics moves. Empty: every topic the group has committed.
  std::vector<std::string> topics;
  ResetTarget to;
};

struct PlannedOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t current = klab::client::offset_invalid;  ///< committed now (-1001: nothing)
  std::int64_t target = 0;
  std::string note;  ///< why the target is not what was asked ("42 is outside 0..10")
};

struct ResetPlan {
  std::string group;
  std::string group_state;  ///< "Empty", or "Dead" for a group the cluster does not know yet
  ResetTarget to;
  std::vector<PlannedOffset> offsets;  ///< sorted by topic, then partition
};

/// Checks the group is stopped and computes every partition's new offset; changes nothing.
/// `consumer_config` reaches the cluster (a timestamp lookup needs a consumer handle, which
/// never joins a group).
/// Errors: LabError conflict when the group has members or is rebalancing (offsets can only
/// be reset while it is Empty); not_found for a topic that does not exist, or for a group with
/// nothing committed and no topic named; invalid_input for a negative offset or timestamp;
/// KafkaException for a cluster that does not answer.
ResetPlan plan_offset_reset(klab::client::Admin& admin, const klab::client::Config& consumer_config,
                            const ResetRequest& request, std::chrono::milliseconds timeout);

/// Commits the plan's targets for its group.
/// Errors: LabError conflict when members joined since the plan was made (the broker refuses
/// with UNKNOWN_MEMBER_ID or REBALANCE_IN_PROGRESS); KafkaException for other broker errors.
void execute_offset_reset(klab::client::Admin& admin, const ResetPlan& plan,
                          std::chrono::milliseconds timeout);

}  // namespace klab::lab
