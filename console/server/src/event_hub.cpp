#include "event_hub.hpp"

#include <map>
#include <memory>
#include <sstream>

namespace klab::console {

using namespace std::chrono_literals;

namespace {
constexpr std::size_t kept_events = 64;
constexpr auto keepalive_every = 15s;
}  // namespace

std::string sse_frame(const std::string& event, const std::string& data) {
  std::string out = "event: " + event + "\n";
  std::istringstream lines(data);
  std::string line;
  bool any = false;
  while (std::getline(lines, line)) {
    out += "data: " + line + "\n";
    any = true;
  }
  if (!any) out += "data: \n";
  return out + "\n";
}

void EventHub::publish(const std::string& event, std::string data) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back({++sequence_, event, sse_frame(event, data)});
    while (events_.size() > kept_events) events_.pop_front();
  }
  changed_.notify_all();
}

void EventHub::close() {
  closed_ = true;
  changed_.notify_all();
}

void EventHub::stream(httplib::Response& res) {
  struct Cursor {
    std::uint64_t seen = 0;
    bool started = false;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
  };
  auto cursor = std::make_shared<Cursor>();
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream", [this, cursor](std::size_t, httplib::DataSink& sink) {
        std::string out;
        {
          std::unique_lock lock(mutex_);
          if (!cursor->started) {
            // The latest event of each name first, so a new page has data at once.
            std::map<std::string, const Event*> latest;
            for (const auto& e : events_) latest[e.name] = &e;
            out = "retry: 2000\n\n";
            for (const auto& [name, e] : latest) out += e->frame;
            cursor->seen = sequence_;
            cursor->started = true;
          } else {
            changed_.wait_for(lock, 1s, [&] { return closed_ || sequence_ > cursor->seen; });
            if (closed_) return false;
            for (const auto& e : events_)
              if (e.sequence > cursor->seen) out += e.frame;
            cursor->seen = sequence_;
          }
        }
        auto now = std::chrono::steady_clock::now();
        if (out.empty() && now - cursor->last_write >= keepalive_every) out = ": keep-alive\n\n";
        if (out.empty()) return sink.is_writable();
        cursor->last_write = now;
        return sink.write(out.data(), out.size());
      });
}

}  // namespace klab::console
