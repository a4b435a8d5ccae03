#include "log_event.hpp"

#include <array>

namespace klab::apps::logging {

bool known_level(std::string_view level) {
  static constexpr std::array<std::string_view, 4> kLevels{"DEBUG", "INFO", "WARN", "ERROR"};
  for (auto l : kLevels)
    if (l == level) return true;
  return false;
}

std::string to_json(const LogEvent& e) {
  return nlohmann::json{{"event_id", e.event_id}, {"service", e.service},
                        {"level", e.level},       {"timestamp", e.timestamp_ms},
                        {"sequence", e.sequence}, {"message", e.message},
                        {"fields", e.fields}}
      .dump();
}

std::optional<LogEvent> parse_event(std::string_view json, std::string* why) {
  auto reject = [&](std::string reason) -> std::optional<LogEvent> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return reject("not a JSON object");
  for (const char* key : {"event_id", "service", "level", "message"})
    if (!j.contains(key) || !j[key].is_string()) return reject(std::string("no string ") + key);
  for (const char* key : {"timestamp", "sequence"})
    if (!j.contains(key) || !j[key].is_number_integer())
      return reject(std::string("no integer ") + key);
  LogEvent e;
  e.event_id = j["event_id"];
  e.service = j["service"];
  e.level = j["level"];
  e.message = j["message"];
  e.timestamp_ms = j["timestamp"];
  e.sequence = j["sequence"];
  if (j.contains("fields") && j["fields"].is_object()) e.fields = j["fields"];
  if (e.event_id.empty() || e.service.empty()) return reject("empty event_id or service");
  if (!known_level(e.level)) return reject("unknown level " + e.level);
  return e;
}

}  // namespace klab::apps::logging
