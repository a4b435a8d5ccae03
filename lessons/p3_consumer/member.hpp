#pragma once
// A consumer-group member for the group lessons: its own poll thread, and a log of every
// rebalance event it saw (assigned / revoked / lost, with the partitions).
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "klab/client/consumer.hpp"
#include "klab/client/rebalance.hpp"
#include "klab/cluster/await.hpp"

namespace lessons {

class Member {
 public:
  Member(klab::client::Config config, const std::string& topic) {
    config.rebalance_listener(
        [this](klab::client::Consumer&, const klab::client::RebalanceEvent& e) {
          std::lock_guard lock(mutex_);
          events_.push_back(e);
        });
    consumer_ = std::make_unique<klab::client::Consumer>(config);
    consumer_->subscribe({topic});
    thread_ = std::jthread([this](std::stop_token stop) {
      while (!stop.stop_requested()) {
        if (stalled_) {  // a member stuck in slow processing: no poll() at all
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          continue;
        }
        auto r = consumer_->poll(std::chrono::milliseconds(100));
        if (!r) continue;
        if (r->error()) {
          std::lock_guard lock(mutex_);
          errors_.push_back(r->error());
        } else {
          ++records_;
        }
      }
    });
  }
  ~Member() { leave(); }

  /// Stops polling and leaves the group (LeaveGroup, unless it is a static member).
  void leave() {
    if (!thread_.joinable()) return;
    thread_.request_stop();
    thread_.join();
    consumer_->close();
  }
  std::set<int> owned() const {
    std::set<int> out;
    for (const auto& tp : consumer_->assignment()) out.insert(tp.partition);
    return out;
  }
  std::vector<klab::client::RebalanceEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t revocations() const {
    std::size_t n = 0;
    for (const auto& e : events()) n += e.kind != klab::client::RebalanceKind::assigned;
    return n;
  }
  /// Stops / restarts calling poll() while staying in the group, like a member stuck in work.
  void stall(bool stalled) { stalled_ = stalled; }
  /// Error events poll() returned so far.
  std::vector<klab::Error> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }
  klab::client::Consumer& consumer() { return *consumer_; }
  long records() const { return records_.load(); }

 private:
  mutable std::mutex mutex_;
  std::vector<klab::client::RebalanceEvent> events_;
  std::vector<klab::Error> errors_;
  std::atomic<bool> stalled_{false};
  std::unique_ptr<klab::client::Consumer> consumer_;
  std::atomic<long> records_{0};
  std::jthread thread_;
};

/// Waits until the members own every one of `partitions` partitions exactly once, and each
/// member owns at least one (a joiner counts only once it got its share).
inline bool await_split(const std::vector<Member*>& members, std::size_t partitions,
                        std::chrono::milliseconds timeout) {
  return klab::cluster::await_until(
      [&] {
        std::multiset<int> all;
        for (auto* m : members) {
          auto owned = m->owned();
          if (owned.empty()) return false;
          all.insert(owned.begin(), owned.end());
        }
        return all.size() == partitions &&
               std::set<int>(all.begin(), all.end()).size() == partitions;
      },
      klab::cluster::scaled(timeout), std::chrono::milliseconds(200));
}

}  // namespace lessons
