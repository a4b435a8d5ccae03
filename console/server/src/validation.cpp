#include "validation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>

#include "api_error.hpp"
#include "klab/lab/lab_error.hpp"
#include "klab/lab/time_parse.hpp"

namespace klab::console {

void check_topic_name(const std::string& name) {
  bool chars_ok = std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (name.empty() || name.size() > 249 || !chars_ok || name == "." || name == "..")
    throw invalid_input(fmt::format(
        "invalid topic name '{}': use 1 to 249 characters of A-Z a-z 0-9 . _ - (not \".\" or "
        "\"..\")",
        name));
}

nlohmann::json parse_body(const httplib::Request& req) {
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw invalid_input(
        fmt::format("the request body is not valid JSON ({}): send a JSON object", e.what()));
  }
  if (!body.is_object()) throw invalid_input("the request body must be a JSON object {...}");
  return body;
}

namespace {

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::int64_t> query_optional_int(const httplib::Request& req, const std::string& name,
                                               std::int64_t min, std::int64_t max) {
  if (!req.has_param(name.c_str())) return std::nullopt;
  auto text = req.get_param_value(name.c_str());
  auto v = to_int(text);
  if (!v || *v < min || *v > max)
    throw invalid_input(
        fmt::format("{}='{}' is not valid: give an integer from {} to {}", name, text, min, max));
  return v;
}

std::int64_t query_int(const httplib::Request& req, const std::string& name, std::int64_t fallback,
                       std::int64_t min, std::int64_t max) {
  return query_optional_int(req, name, min, max).value_or(fallback);
}

std::string query_string(const httplib::Request& req, const std::string& name,
                         const std::string& fallback) {
  return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : fallback;
}

std::int64_t parse_timestamp(const std::string& field, const std::string& text) {
  try {
    return klab::lab::parse_time_ms(field, text);
  } catch (const klab::lab::LabError& e) {
    throw invalid_input(e.what());
  }
}

std::optional<std::string> json_string(const nlohmann::json& body, const std::string& key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    throw invalid_input(fmt::format("field '{}' must be a string, got {}", key, it->dump()));
  return it->get<std::string>();
}

std::optional<std::int64_t> json_int(const nlohmann::json& body, const std::string& key,
                                     std::int64_t min, std::int64_t max) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer() || it->get<std::int64_t>() < min || it->get<std::int64_t>() > max)
    throw invalid_input(fmt::format("field '{}' must be an integer from {} to {}, got {}", key, min,
                                    max, it->dump()));
  return it->get<std::int64_t>();
}

}  // namespace klab::console
