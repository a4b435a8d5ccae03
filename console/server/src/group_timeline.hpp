#pragma once
// A consumer group's rebalance timeline (roadmap 7.3.2): each refresh's view of the group is
// compared with the last one kept, and a change (state, members, who owns which partition)
// becomes an entry, so a storm shows as a run of entries and members coming and going.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"

namespace klab::console {

struct TimelineMember {
  std::string member_id;
  std::string client_id;
  std::vector<std::string> partitions;  ///< "topic-partition", sorted
};

struct PartitionMove {
  std::string partition;  ///< "topic-partition"
  std::string from;       ///< member id, "" when nobody owned it
  std::string to;         ///< member id, "" when nobody owns it now
};

struct TimelineEntry {
  std::int64_t t_ms = 0;
  std::string state;
  std::vector<TimelineMember> members;    ///< sorted by member id
  std::vector<std::string> joined, left;  ///< member ids, against the previous entry
  std::vector<PartitionMove> moved;       ///< partitions whose owner changed
};

class GroupTimeline {
 public:
  /// Keeps entries of the last `keep_ms` and at most `max_entries`.
  explicit GroupTimeline(std::int64_t keep_ms = 30 * 60 * 1000, std::size_t max_entries = 500);

  /// The group as a refresh at `t_ms` saw it: a new entry when anything differs from the last
  /// entry (the first observation always is one). Errors: none.
  void observe(std::int64_t t_ms, const klab::client::GroupDescription& group);

  const std::deque<TimelineEntry>& entries() const { return entries_; }

 private:
  std::int64_t keep_ms_;
  std::size_t max_entries_;
  std::deque<TimelineEntry> entries_;
};

}  // namespace klab::console
