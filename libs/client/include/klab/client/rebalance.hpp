#pragma once
// What a consumer hears when the group moves partitions: Java's ConsumerRebalanceListener as one
// callable. The Consumer applies every assignment itself, so a listener only observes (and may
// commit what it processed before partitions go away).
#include <functional>
#include <vector>

#include "klab/client/topic_partition.hpp"

namespace klab::client {

class Consumer;

enum class RebalanceKind {
  assigned,  ///< these partitions are being added to this member
  revoked,   ///< these partitions are being taken away in an orderly rebalance
  /// The member lost these partitions without a rebalance (session timeout, max.poll.interval.ms
  /// exceeded, fenced): others may already own them, so committing for them may fail.
  lost,
};

struct RebalanceEvent {
  RebalanceKind kind = RebalanceKind::assigned;
  /// Eager: the whole assignment (assigned) or everything held (revoked/lost).
  /// Cooperative: only the partitions that move.
  std::vector<TopicPartition> partitions;
  /// rebalance_protocol() was "COOPERATIVE" (incremental) rather than "EAGER".
  bool cooperative = false;
};

/// Runs on the thread calling Consumer::poll() / poll_batch() / close() (or the destructor),
/// before the assignment changes: on `assigned` the partitions are not yet assigned (seek() to
/// them fails; seek after the next poll), on `revoked` they still are (commit_sync works).
/// close() runs its revoke while the consumer still counts as open, so commit_sync() works
/// there; committed() does not (librdkafka 2.0.2 no longer answers offset queries while the
/// group is leaving: _TIMED_OUT). An exception is logged (klab::client::log) and dropped; the
/// assignment change happens regardless.
using RebalanceListener = std::function<void(Consumer& consumer, const RebalanceEvent& event)>;

}  // namespace klab::client
