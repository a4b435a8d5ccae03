#pragma once
// A consumer-group member on its own poll thread, as a running application is: it keeps its
// place in the group, and counts the rebalance events it lives through.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"

namespace klab::testing {

class PollingMember {
 public:
  /// Subscribes to `topic` with `config` (group.id set) and polls every 100 ms until destroyed.
  /// Errors: KafkaException from the Consumer.
  PollingMember(klab::client::Config config, const std::string& topic);
  /// Stops polling and closes the consumer: it leaves the group.
  ~PollingMember();
  PollingMember(const PollingMember&) = delete;
  PollingMember& operator=(const PollingMember&) = delete;

  /// Rebalance events (assigned, revoked, lost) so far. Errors: none.
  int rebalance_events() const { return events_; }
  std::string member_id() const { return consumer_->member_id(); }
  std::size_t assigned() const { return consumer_->assignment().size(); }
  /// Waits until it owns `partitions` and no rebalance event came for `quiet`: the group can
  /// look Stable before this member's poll() has run the last callback. `timeout` is scaled by
  /// KLAB_TIMEOUT_MULTIPLIER. Errors: none.
  bool await_settled(std::size_t partitions, std::chrono::milliseconds quiet,
                     std::chrono::milliseconds timeout) const;

 private:
  std::unique_ptr<klab::client::Consumer> consumer_;
  std::atomic<int> events_{0};
  std::atomic<std::chrono::steady_clock::rep> last_event_;
  std::jthread thread_;
};

}  // namespace klab::testing
