#include "klab/client/serde.hpp"

#include <cstdio>

namespace klab::client {
namespace {

Error null_bytes(std::string_view serde) {
  return Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
               std::string(serde) +
                   ": the bytes are null (a null key or a tombstone value); check for null "
                   "before deserializing, or use a serde that maps null to a value");
}

}  // namespace

Result<std::string> StringSerde::serialize(const std::string& v) const { return v; }

Result<std::string> StringSerde::deserialize(std::optional<std::string_view> bytes) const {
  if (!bytes) return null_bytes("StringSerde");
  return std::string(*bytes);
}

Result<std::string> BytesSerde::serialize(const std::vector<std::byte>& v) const {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

Result<std::vector<std::byte>> BytesSerde::deserialize(
    std::optional<std::string_view> bytes) const {
  if (!bytes) return null_bytes("BytesSerde");
  const auto* p = reinterpret_cast<const std::byte*>(bytes->data());
  return std::vector<std::byte>(p, p + bytes->size());
}

Error as_key_error(const Error& error) {
  if (!error) return error;
  auto code = error.code();
  if (code == RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION)
    code = RD_KAFKA_RESP_ERR__KEY_SERIALIZATION;
  else if (code == RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION)
    code = RD_KAFKA_RESP_ERR__KEY_DESERIALIZATION;
  return Error(code, "key: " + error.message());
}

namespace detail {

std::string preview_bytes(std::optional<std::string_view> bytes, std::size_t max) {
  if (!bytes) return "null";
  std::string out;
  auto shown = bytes->substr(0, max);
  for (unsigned char c : shown) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      // Escaped so binary input cannot garble a terminal or a log line.
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (shown.size() < bytes->size()) out += "... (" + std::to_string(bytes->size()) + " bytes)";
  return out;
}

}  // namespace detail
}  // namespace klab::client
