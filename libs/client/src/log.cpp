#include "klab/client/log.hpp"

#include <cstdio>

namespace klab::client {
namespace {

std::mutex& sink_mutex() {
  static std::mutex m;
  return m;
}

LogSink& current_sink() {
  static LogSink sink;
  return sink;
}

void write_to_stderr(const LogEntry& e) {
  // One fprintf per line so lines from several threads never interleave mid-line.
  std::fprintf(stderr, "[%.*s] %.*s\n", static_cast<int>(e.source.size()), e.source.data(),
               static_cast<int>(e.message.size()), e.message.data());
}

}  // namespace

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::error:
      return "error";
    case LogLevel::warning:
      return "warning";
    case LogLevel::notice:
      return "notice";
    case LogLevel::info:
      return "info";
    case LogLevel::debug:
      return "debug";
  }
  return "info";
}

LogSink set_log_sink(LogSink sink) {
  std::lock_guard lock(sink_mutex());
  LogSink previous = std::move(current_sink());
  current_sink() = std::move(sink);
  return previous;
}

void log(LogLevel level, std::string_view source, std::string_view message) noexcept {
  LogEntry entry{level, source, message};
  std::lock_guard lock(sink_mutex());
  try {
    if (current_sink())
      current_sink()(entry);
    else
      write_to_stderr(entry);
  } catch (...) {
    // A sink's failure must not become the caller's (often a librdkafka thread's) failure.
  }
}

LogCapture::LogCapture() {
  previous_ = set_log_sink([this](const LogEntry& e) {
    std::lock_guard lock(mutex_);
    lines_.push_back({e.level, std::string(e.source), std::string(e.message)});
  });
}

LogCapture::~LogCapture() { set_log_sink(std::move(previous_)); }

std::vector<LogCapture::Line> LogCapture::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool LogCapture::contains(std::string_view text) const {
  std::lock_guard lock(mutex_);
  for (const auto& l : lines_)
    if (l.message.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace klab::client
