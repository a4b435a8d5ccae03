#pragma once
// Base64 (RFC 4648), the one encoder of the lab: record bytes that are not text (the console,
// the CLI) and Kafka's cluster ids (URL-safe, unpadded, like Kafka's Uuid.toString()).
#include <string>
#include <string_view>

namespace klab::client {

enum class Base64Alphabet {
  standard,  ///< A-Z a-z 0-9 + /, padded with '='
  url,       ///< A-Z a-z 0-9 - _, no padding
};

/// `bytes` in base64. Errors: none.
std::string base64_encode(std::string_view bytes,
                          Base64Alphabet alphabet = Base64Alphabet::standard);

}  // namespace klab::client
