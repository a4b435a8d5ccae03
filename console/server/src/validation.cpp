#include "validation.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "api_error.hpp"

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
  auto bad = [&] {
    return invalid_input(fmt::format(
        "{}='{}' is not a time: give milliseconds since the epoch (1795514400000) or ISO-8601 "
        "with a zone (2026-11-24T10:00:00Z, 2026-11-24T19:00:00+09:00)",
        field, text));
  };
  if (auto ms = to_int(text)) {
    if (*ms < 0) throw bad();
    return *ms;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &consumed) != 5)
    throw bad();
  std::size_t at = static_cast<std::size_t>(consumed);
  int sec = 0, millis = 0;
  if (at < text.size() && text[at] == ':') {
    if (at + 3 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at + 1])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 2])))
      throw bad();
    sec = (text[at + 1] - '0') * 10 + (text[at + 2] - '0');
    at += 3;
    if (at < text.size() && text[at] == '.') {
      ++at;
      int digits = 0;
      while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
        if (digits < 3) millis = millis * 10 + (text[at] - '0');
        ++digits;
        ++at;
      }
      if (digits == 0) throw bad();
      for (int i = digits; i < 3; ++i) millis *= 10;
    }
  }
  long offset_s = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    auto oh = to_int(text.substr(at + 1, 2)), om = to_int(text.substr(at + 4, 2));
    if (!oh || !om) throw bad();
    offset_s = (*oh * 3600 + *om * 60) * (text[at] == '+' ? 1 : -1);
    at += 6;
  } else {
    throw bad();
  }
  if (at != text.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    throw bad();
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  auto seconds = static_cast<std::int64_t>(timegm(&tm)) - offset_s;
  if (seconds < 0) throw bad();
  return seconds * 1000 + millis;
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
