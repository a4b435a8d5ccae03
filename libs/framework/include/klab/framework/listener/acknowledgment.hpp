#pragma once
// The handle a listener uses to say "this record is done" in the manual ack modes.
#include <functional>

namespace klab::framework {

/// Given to the listener (ListenerContext::ack) when the container runs with AckMode::manual or
/// manual_immediate; nullptr in the other modes. Valid only during the listener call: the
/// container decides what to commit right after the listener returns.
///
/// Acknowledging a record commits its offset + 1, which in Kafka also covers every earlier
/// record of the partition: acknowledging record 5 without record 4 commits both.
class Acknowledgment {
 public:
  /// Made by the container; `on_acknowledge` records the offset (manual) or commits it at once
  /// (manual_immediate).
  explicit Acknowledgment(std::function<void()> on_acknowledge)
      : on_acknowledge_(std::move(on_acknowledge)) {}

  /// Marks the record processed. Calling it again does nothing.
  /// Errors: with manual_immediate, KafkaException from Consumer::commit_sync (e.g.
  /// REBALANCE_IN_PROGRESS); the record then counts as not acknowledged.
  void acknowledge();

  /// Whether acknowledge() succeeded. Errors: none.
  bool acknowledged() const noexcept { return acknowledged_; }

 private:
  std::function<void()> on_acknowledge_;
  bool acknowledged_ = false;
};

}  // namespace klab::framework
