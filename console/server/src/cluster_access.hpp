#pragma once
// The console's one way to the cluster: a shared Admin client and throwaway consumers, with a
// counter of every request made (reported as cluster_calls in /api/config).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"
#include "klab/client/producer.hpp"

namespace klab::console {

inline constexpr std::chrono::milliseconds request_timeout{10'000};

class ClusterAccess {
 public:
  explicit ClusterAccess(klab::client::Config config);

  /// Counts one cluster request and runs it with the shared Admin (thread-safe: each admin
  /// call has its own result queue).
  template <class F>
  decltype(auto) admin_call(F&& f) {
    count();
    return f(admin_);
  }
  /// For callers that count() each request themselves.
  klab::client::Admin& uncounted_admin() { return admin_; }
  void count(std::uint64_t n = 1) { calls_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t calls() const { return calls_.load(std::memory_order_relaxed); }

  /// A consumer config that never joins or commits (a throwaway group.id, as librdkafka 2.0.2
  /// needs one even for assign()) and reads uncommitted records, so `end` is the log end.
  klab::client::Config reader_config(const std::string& purpose) const;
  /// The shared producer of POST .../messages (acks=all), created on first use.
  klab::client::Producer& producer();

 private:
  klab::client::Config config_;
  klab::client::Admin admin_;
  std::atomic<std::uint64_t> calls_{0};
  std::mutex producer_mutex_;
  std::unique_ptr<klab::client::Producer> producer_;
};

}  // namespace klab::console
