#pragma once
// JSON keys and values through nlohmann::json: any T with to_json/from_json (or one nlohmann
// already knows: numbers, strings, std::vector, std::map, nlohmann::json ...) becomes a record.
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/error.hpp"
#include "klab/client/result.hpp"
#include "klab/client/serde.hpp"

namespace klab::client {

/// T as JSON text. Every exception, nlohmann's or one thrown by your to_json/from_json (a
/// validation failure), becomes an Error, so one bad record never escapes as an exception.
///
/// Null bytes (a tombstone or a null key) deserialize as JSON `null`: fine for T = nlohmann::json
/// or a from_json that accepts null, a type_error for a T that needs an object. (nlohmann 3.11.2
/// has no std::optional support: give std::optional<U> an adl_serializer to map null to it.)
template <typename T>
struct JsonSerde {
  /// Errors: _VALUE_SERIALIZATION with nlohmann's message (e.g. type_error.316 for a string that
  /// is not valid UTF-8) or the what() of an exception thrown by T's to_json.
  Result<std::string> serialize(const T& v) const {
    try {
      // Parentheses, not braces: json{v} would wrap v in an array.
      return nlohmann::json(v).dump();
    } catch (const nlohmann::json::exception& e) {
      return Error(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION,
                   std::string("JSON serialization failed: ") + e.what());
    } catch (const std::exception& e) {
      return Error(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION,
                   std::string("to_json rejected the value: ") + e.what());
    }
  }

  /// Errors: _VALUE_DESERIALIZATION with nlohmann's message (parse_error for text that is not
  /// JSON, type_error / out_of_range when it does not fit T) or the what() of an exception
  /// thrown by T's from_json, followed by the first 80 bytes of the input.
  Result<T> deserialize(std::optional<std::string_view> bytes) const {
    try {
      auto json =
          bytes ? nlohmann::json::parse(bytes->begin(), bytes->end()) : nlohmann::json(nullptr);
      return json.get<T>();
    } catch (const nlohmann::json::exception& e) {
      return failed("JSON deserialization failed: ", e, bytes);
    } catch (const std::exception& e) {
      return failed("from_json rejected the value: ", e, bytes);
    }
  }

 private:
  static Error failed(std::string_view what, const std::exception& e,
                      std::optional<std::string_view> bytes) {
    return Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
                 std::string(what) + e.what() + "; input: " + detail::preview_bytes(bytes));
  }
};

}  // namespace klab::client
