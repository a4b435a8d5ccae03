#include "klab/client/consumer_protocol.hpp"

#include "klab/client/error.hpp"

namespace klab::client {
namespace {

// Big-endian reader that fails loudly instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }

  std::int16_t i16(const char* what) {
    need(2, what);
    auto v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return static_cast<std::int16_t>(v);
  }

  std::int32_t i32(const char* what) {
    need(4, what);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | bytes_[pos_ + static_cast<std::size_t>(i)];
    pos_ += 4;
    return static_cast<std::int32_t>(v);
  }

  std::string bytes(std::size_t n, const char* what) {
    need(n, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }

  std::int32_t count(const char* what) {
    auto at = pos_;
    auto n = i32(what);
    if (n < 0) fail(at, std::string("negative ") + what);
    return n;
  }

  [[noreturn]] void fail(std::size_t at, const std::string& why) const {
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__BAD_MSG,
                               "consumer assignment bytes: " + why + " at byte " +
                                   std::to_string(at) + " of " + std::to_string(bytes_.size())));
  }

 private:
  void need(std::size_t n, const char* what) const {
    if (remaining() < n) fail(pos_, std::string("truncated ") + what);
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

ConsumerAssignment parse_consumer_assignment(std::span<const std::uint8_t> bytes) {
  ConsumerAssignment out;
  if (bytes.empty()) return out;
  Reader r(bytes);
  out.version = r.i16("version");
  auto topics = r.count("topic count");
  for (std::int32_t t = 0; t < topics; ++t) {
    auto len = r.i16("topic name length");
    if (len < 0) r.fail(bytes.size() - r.remaining() - 2, "negative topic name length");
    auto topic = r.bytes(static_cast<std::size_t>(len), "topic name");
    auto partitions = r.count("partition count");
    for (std::int32_t p = 0; p < partitions; ++p)
      out.partitions.push_back({topic, r.i32("partition"), offset_invalid, {}});
  }
  if (r.remaining() >= 4) {
    auto len = r.i32("user data length");
    if (len > 0) out.user_data = r.bytes(static_cast<std::size_t>(len), "user data");
  }
  return out;
}

}  // namespace klab::client
