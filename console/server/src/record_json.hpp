#pragma once
// A record as the API shows it: text when the bytes are UTF-8, else base64 with a flag, so
// binary keys and values survive the JSON round trip.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/record.hpp"

namespace klab::console {

bool is_valid_utf8(std::string_view bytes);

/// {partition, offset, timestamp_ms, timestamp_type, key|null, value|null, key_base64,
///  value_base64, headers:[{key, value}]} (a header value is null, text, or base64 text with
/// value_base64:true on that header).
nlohmann::json record_json(const klab::client::Record& record);

/// Whether `needle` (already lower-case) occurs, ignoring ASCII case, in the record's key,
/// value or headers as `field` says: "any", "key", "value" or "header".
bool record_matches(const klab::client::Record& record, const std::string& needle,
                    const std::string& field);

std::string to_lower(std::string_view text);

}  // namespace klab::console
