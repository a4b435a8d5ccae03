#pragma once
// Server-Sent Events: the refresher and the metrics thread publish, every open /api/events
// stream writes what it has not sent yet. Also the SSE framing shared with the live tail.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace klab::console {

/// "event: <name>\ndata: <data>\n\n" (data split on newlines as SSE requires).
std::string sse_frame(const std::string& event, const std::string& data);

class EventHub {
 public:
  void publish(const std::string& event, std::string data);
  /// Makes every stream end (server shutdown).
  void close();
  bool closed() const { return closed_.load(); }
  /// Answers `res` with a stream: the latest event of each name at once, then every new one,
  /// with a comment line as keep-alive so a gone browser is noticed.
  void stream(httplib::Response& res);

 private:
  struct Event {
    std::uint64_t sequence;
    std::string name, frame;
  };
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Event> events_;  // the last few, in order
  std::uint64_t sequence_ = 0;
  std::atomic<bool> closed_{false};
};

}  // namespace klab::console
