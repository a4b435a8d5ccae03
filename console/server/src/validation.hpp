#pragma once
// Checks of what the browser sends: names, numbers, timestamps and JSON bodies. Each failure
// is an ApiError invalid_input naming the field, the value and what is accepted.
#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace klab::console {

/// Topic names as Kafka accepts them: [A-Za-z0-9._-]{1,249}, not "." or "..".
void check_topic_name(const std::string& name);

/// The request body as a JSON object (400 when it is not one).
nlohmann::json parse_body(const httplib::Request& req);

/// A query parameter as an integer in [min, max]; `fallback` when absent.
std::int64_t query_int(const httplib::Request& req, const std::string& name, std::int64_t fallback,
                       std::int64_t min, std::int64_t max);
std::optional<std::int64_t> query_optional_int(const httplib::Request& req, const std::string& name,
                                               std::int64_t min, std::int64_t max);
std::string query_string(const httplib::Request& req, const std::string& name,
                         const std::string& fallback = "");

/// Milliseconds since the epoch, or ISO-8601 "2026-11-24T10:00:00Z" / "...+09:00": the lab's one
/// parser (klab::lab::parse_time_ms), so the console accepts what the CLI accepts. `field`
/// names the input in the error (ApiError invalid_input, answered 400).
std::int64_t parse_timestamp(const std::string& field, const std::string& text);

/// Typed reads of a JSON body's fields; absent (or null) gives nullopt, a wrong type 400.
std::optional<std::string> json_string(const nlohmann::json& body, const std::string& key);
std::optional<std::int64_t> json_int(const nlohmann::json& body, const std::string& key,
                                     std::int64_t min, std::int64_t max);

}  // namespace klab::console
