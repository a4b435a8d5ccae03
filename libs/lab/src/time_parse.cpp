#include "klab/lab/time_parse.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>

#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {

// Exactly `digits` decimal digits at `at`, advancing past them.
std::optional<int> take_number(std::string_view text, std::size_t& at, std::size_t digits) {
  if (at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    char c = text[at + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += digits;
  return value;
}

bool take_char(std::string_view text, std::size_t& at, char c) {
  if (at < text.size() && text[at] == c) {
    ++at;
    return true;
  }
  return false;
}

}  // namespace

std::int64_t parse_time_ms(std::string_view what, std::string_view text) {
  auto bad = [&](std::string_view why) {
    return LabError(LabError::Kind::invalid_input,
                    fmt::format("{} '{}' {}: give milliseconds since the epoch (e.g. "
                                "1795514400000) or a date and time with a zone, like "
                                "2026-11-24T10:00:00Z or 2026-11-24T19:00:00+09:00",
                                what, text, why));
  };
  if (text.empty()) throw bad("is empty");
  if (std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    std::int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc{} || end != text.data() + text.size()) throw bad("is too large");
    return ms;
  }
  std::size_t at = 0;
  auto year = take_number(text, at, 4);
  auto month = year && take_char(text, at, '-') ? take_number(text, at, 2) : std::nullopt;
  auto day = month && take_char(text, at, '-') ? take_number(text, at, 2) : std::nullopt;
  if (!day) throw bad("is not a date (YYYY-MM-DD)");
  using namespace std::chrono;
  year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                      std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) throw bad("is not a day of the calendar");
  if (!take_char(text, at, 'T') && !take_char(text, at, ' '))
    throw bad("has no time of day (THH:MM:SS)");
  auto hour = take_number(text, at, 2);
  auto minute = hour && take_char(text, at, ':') ? take_number(text, at, 2) : std::nullopt;
  if (!minute) throw bad("has no valid time of day (THH:MM:SS)");
  int second = 0, millis = 0;
  if (take_char(text, at, ':')) {
    auto s = take_number(text, at, 2);
    if (!s) throw bad("has no valid seconds");
    second = *s;
    if (take_char(text, at, '.')) {
      int digits = 0;
      while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
        if (digits < 3) millis = millis * 10 + (text[at] - '0');
        ++digits;
        ++at;
      }
      if (digits == 0) throw bad("has a '.' without a fraction of a second");
      for (int i = digits; i < 3; ++i) millis *= 10;
    }
  }
  if (*hour > 23 || *minute > 59 || second > 59) throw bad("is not a time of day");
  int offset_minutes = 0;
  if (take_char(text, at, 'Z') || take_char(text, at, 'z')) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int sign = text[at] == '+' ? 1 : -1;
    ++at;
    auto oh = take_number(text, at, 2);
    auto om = oh && take_char(text, at, ':') ? take_number(text, at, 2) : std::nullopt;
    if (!om || *om > 59 || *oh * 60 + *om > 18 * 60) throw bad("has no valid zone (+HH:MM)");
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    throw bad(at == text.size() ? "has no time zone: add Z (UTC) or an offset like +09:00"
                                : "has unexpected text after the time");
  }
  if (at != text.size()) throw bad("has unexpected text after the zone");
  auto point = sys_days{date} + hours{*hour} + minutes{*minute - offset_minutes} + seconds{second} +
               milliseconds{millis};
  auto ms = duration_cast<milliseconds>(point.time_since_epoch()).count();
  if (ms < 0) throw bad("is before 1970-01-01T00:00:00Z");
  return ms;
}

}  // namespace klab::lab
