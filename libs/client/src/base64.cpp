#include "klab/client/base64.hpp"

#include <cstdint>

namespace klab::client {

std::string base64_encode(std::string_view in, Base64Alphabet alphabet) {
  const char* table = alphabet == Base64Alphabet::url
                          ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bool pad = alphabet == Base64Alphabet::standard;
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                      (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += table[(n >> shift) & 63];
  }
  if (i < in.size()) {
    std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
    bool two = i + 1 < in.size();
    if (two) n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    if (two) out += table[(n >> 6) & 63];
    if (pad) out.append(two ? 1 : 2, '=');
  }
  return out;
}

}  // namespace klab::client
