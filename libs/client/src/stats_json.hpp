#pragma once
// Reading librdkafka's statistics JSON strictly: every field a parser needs must be there with
// the expected type, and a missing one is named by its path. Shared by the producer and
// consumer statistics parsers.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/producer_stats.hpp"

namespace klab::client::detail {

/// Throws KafkaException _BAD_MSG: "statistics JSON: field <path> <problem>".
[[noreturn]] void bad_field(const std::string& path, std::string_view problem);
/// `parent.key`, or `key` at the top level.
std::string child_path(const std::string& parent, std::string_view key);
/// `parent["key"]`, for entries of a map keyed by name.
std::string entry_path(std::string_view parent, const std::string& key);

/// Parses the text into a JSON object. Errors: KafkaException _BAD_MSG (not JSON, not an object).
nlohmann::json parse_document(std::string_view text);

/// `obj[key]`, which must exist; `path` names obj in error messages. Errors: as bad_field().
const nlohmann::json& field(const nlohmann::json& obj, const std::string& path,
                            std::string_view key);
const nlohmann::json& object_field(const nlohmann::json& obj, const std::string& path,
                                   std::string_view key);
std::int64_t int_field(const nlohmann::json& obj, const std::string& path, std::string_view key);
std::string string_field(const nlohmann::json& obj, const std::string& path, std::string_view key);
WindowStats window_of(const nlohmann::json& obj, const std::string& path, std::string_view key);

/// The real brokers (node id >= 0, not librdkafka's logical coordinator entries) of the
/// document's "brokers" map, sorted by node id.
/// Errors: as bad_field().
std::vector<BrokerStats> brokers_of(const nlohmann::json& doc);

}  // namespace klab::client::detail
