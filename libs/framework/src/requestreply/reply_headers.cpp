#include "klab/framework/requestreply/reply_headers.hpp"

namespace klab::framework {

std::string encode_reply_partition(std::int32_t partition) {
  auto v = static_cast<std::uint32_t>(partition);
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}

std::optional<std::int32_t> decode_reply_partition(std::string_view bytes) {
  if (bytes.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return static_cast<std::int32_t>(v);
}

}  // namespace klab::framework
