#pragma once
// The part every statistics collector shares: parse each JSON sample librdkafka emits, keep the
// newest, fold it into a running summary, and let a caller wait for a fresh one.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "klab/client/config.hpp"

namespace klab::client {

/// A summary that keeps nothing beyond the latest sample.
struct NoSummary {
  template <typename Stats>
  void update(const Stats&) {}
};

/// Copies share one state, so the handler given to a Config and the collector the caller
/// keeps see the same samples. Thread-safe. `Stats` needs `static Stats parse(std::string_view)`;
/// `Summary` needs `void update(const Stats&)`.
template <typename Stats, typename Summary = NoSummary>
class SampleCollector {
 public:
  SampleCollector() : state_(std::make_shared<State>()) {}

  /// A handler that parses each JSON document into this collector. A document that does not
  /// parse is skipped; the exception's text reaches klab::client::log through the client's callback
  /// guard. Errors: none.
  StatisticsHandler handler() const {
    // Captures the shared state, not `this`: the collector may be a temporary or moved.
    return [self = *this](std::string_view json) mutable { self.add(json); };
  }
  /// Feeds one sample as the handler does; for tests and replays. A rejected sample changes
  /// nothing. Errors: as Stats::parse.
  void add(std::string_view json) {
    auto stats = Stats::parse(json);  // outside the lock: parsing is the slow part
    {
      std::lock_guard lock(state_->mutex);
      state_->summary.update(stats);
      state_->latest = std::move(stats);
      state_->latest_at = std::chrono::steady_clock::now();
      ++state_->samples;
    }
    state_->arrived.notify_all();
  }
  /// The newest sample, or nullopt before the first one. Errors: none.
  std::optional<Stats> latest() const {
    std::lock_guard lock(state_->mutex);
    return state_->latest;
  }
  /// How many samples arrived. Errors: none.
  std::int64_t samples() const {
    std::lock_guard lock(state_->mutex);
    return state_->samples;
  }
  /// Starts the running summary over: what follows (e.g. after a warm-up) is measured alone.
  /// Errors: none.
  void reset_summary() {
    std::lock_guard lock(state_->mutex);
    state_->summary = Summary{};
  }
  /// Waits until a sample that arrived after `after` (steady_clock) is here; returns it, or
  /// nullopt after `timeout`. Errors: none.
  std::optional<Stats> await_sample_after(std::chrono::steady_clock::time_point after,
                                          std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    bool fresh = state_->arrived.wait_for(
        lock, timeout, [&] { return state_->latest && state_->latest_at > after; });
    if (!fresh) return std::nullopt;
    return state_->latest;
  }

 protected:
  /// The running summary of every sample so far. Errors: none.
  Summary summary() const {
    std::lock_guard lock(state_->mutex);
    return state_->summary;
  }

 private:
  struct State {
    mutable std::mutex mutex;
    std::condition_variable arrived;
    std::optional<Stats> latest;
    std::chrono::steady_clock::time_point latest_at{};
    std::int64_t samples = 0;
    Summary summary;
  };
  std::shared_ptr<State> state_;
};

}  // namespace klab::client
