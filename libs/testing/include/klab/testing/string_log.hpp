#pragma once
// StringLog: what a listener thread saw (values, topics, ...), read by the test thread.
#include <algorithm>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace klab::testing {

/// A thread-safe list of strings: listener threads add(), the test thread reads copies.
/// Errors: none (std::bad_alloc aside).
class StringLog {
 public:
  void add(std::string item) {
    std::lock_guard lock(mutex_);
    items_.push_back(std::move(item));
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  /// A copy of everything added so far, in order.
  std::vector<std::string> snapshot() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  /// How often `item` was added.
  std::size_t count(const std::string& item) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(items_.begin(), items_.end(), item));
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> items_;
};

}  // namespace klab::testing
