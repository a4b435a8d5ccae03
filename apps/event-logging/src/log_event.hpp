#pragma once
// One structured application event as it travels through Kafka (JSON) and lands in PostgreSQL.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace klab::apps::logging {

struct LogEvent {
  std::string event_id;  ///< unique over all services: "<service>-<instance>-<sequence>"
  std::string service;   ///< also the record key: one service's events stay in order
  std::string level;     ///< DEBUG, INFO, WARN, ERROR
  std::int64_t timestamp_ms = 0;
  std::int64_t sequence = 0;  ///< per logger instance, from 1
  std::string message;
  nlohmann::json fields = nlohmann::json::object();
};

/// The record value: {"event_id":..,"service":..,"level":..,"timestamp":ms,"sequence":..,
/// "message":..,"fields":{..}}. Errors: none.
std::string to_json(const LogEvent& event);
/// Parses a record value; nullopt (and `why`) when it is not JSON or lacks a required field or
/// names an unknown level. Errors: none.
std::optional<LogEvent> parse_event(std::string_view json, std::string* why = nullptr);
/// True for DEBUG, INFO, WARN, ERROR. Errors: none.
bool known_level(std::string_view level);

}  // namespace klab::apps::logging
