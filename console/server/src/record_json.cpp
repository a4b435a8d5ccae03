#include "record_json.hpp"

#include <algorithm>
#include <cctype>

#include "klab/client/base64.hpp"
#include "klab/schema/avro_serde.hpp"

namespace klab::console {

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t min_for[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

namespace {

// Sets json[field] and json[field + "_base64"].
void put_bytes(nlohmann::json& j, const std::string& field,
               const std::optional<std::string_view>& bytes) {
  bool binary = bytes && !is_valid_utf8(*bytes);
  if (!bytes)
    j[field] = nullptr;
  else
    j[field] = binary ? klab::client::base64_encode(*bytes) : std::string(*bytes);
  j[field + "_base64"] = binary;
}

const char* timestamp_type(klab::client::TimestampType t) {
  switch (t) {
    case klab::client::TimestampType::create_time:
      return "CreateTime";
    case klab::client::TimestampType::log_append_time:
      return "LogAppendTime";
    default:
      return "NoTimestamp";
  }
}

bool contains(std::string_view hay, const std::string& needle) {
  return to_lower(hay).find(needle) != std::string::npos;
}

}  // namespace

nlohmann::json record_json(const klab::client::Record& r) {
  nlohmann::json j;
  j["partition"] = r.partition();
  j["offset"] = r.offset();
  j["timestamp_ms"] = r.timestamp().ms;
  j["timestamp_type"] = timestamp_type(r.timestamp().type);
  put_bytes(j, "key", r.key());
  put_bytes(j, "value", r.value());
  // A value in the schema registry's wire format: the id of the schema it was written with.
  auto schema_id = r.value() ? klab::schema::wire_schema_id(*r.value()) : std::nullopt;
  j["value_schema_id"] = schema_id ? nlohmann::json(*schema_id) : nlohmann::json(nullptr);
  auto headers = nlohmann::json::array();
  for (const auto& h : r.headers()) {
    nlohmann::json hj{{"key", h.key}};
    put_bytes(hj, "value", h.value ? std::optional<std::string_view>(*h.value) : std::nullopt);
    headers.push_back(std::move(hj));
  }
  j["headers"] = std::move(headers);
  return j;
}

bool record_matches(const klab::client::Record& r, const std::string& needle,
                    const std::string& field) {
  bool any = field == "any";
  if ((any || field == "key") && r.key() && contains(*r.key(), needle)) return true;
  if ((any || field == "value") && r.value() && contains(*r.value(), needle)) return true;
  if (any || field == "header")
    for (const auto& h : r.headers())
      if (contains(h.key, needle) || (h.value && contains(*h.value, needle))) return true;
  return false;
}

}  // namespace klab::console
