#pragma once
// Where the lab's libraries and librdkafka say what they have to say: one process-wide sink,
// so a test, the console or an app can capture it instead of it landing on stderr.
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace klab::client {

/// Severity in syslog order; librdkafka's levels 0..7 map onto it (0..3 error, 4 warning,
/// 5 notice, 6 info, 7 debug).
enum class LogLevel { error, warning, notice, info, debug };

/// "error", "warning", "notice", "info", "debug". Errors: none.
const char* to_string(LogLevel level) noexcept;

struct LogEntry {
  LogLevel level = LogLevel::info;
  /// Who speaks: "klab::client", "klab::framework", ... or, for librdkafka's own lines, the
  /// client instance and facility ("rdkafka#consumer-1 FAIL").
  std::string_view source;
  std::string_view message;
};

/// Receives every entry. Called under a lock, one entry at a time, from whichever thread
/// logged (librdkafka logs from its own threads); it must not call log() itself.
using LogSink = std::function<void(const LogEntry&)>;

/// Installs `sink` for every later log() in the process and returns the one it replaces (empty
/// when that was the default). An empty `sink` restores the default: one line on stderr,
/// "[source] message". Errors: none.
LogSink set_log_sink(LogSink sink);

/// Hands one entry to the current sink. A sink that throws is ignored. Errors: none.
void log(LogLevel level, std::string_view source, std::string_view message) noexcept;

/// Collects every entry while it lives, instead of the sink before it (restored on
/// destruction): for tests that assert on what the client said. Errors: none.
class LogCapture {
 public:
  struct Line {
    LogLevel level;
    std::string source;
    std::string message;
  };
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<Line> lines() const;
  /// Whether any captured message contains `text`.
  bool contains(std::string_view text) const;

 private:
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
  LogSink previous_;
};

}  // namespace klab::client
