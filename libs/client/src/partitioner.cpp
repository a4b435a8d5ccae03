#include "klab/client/partitioner.hpp"

#include <map>
#include <mutex>
#include <string>

#include "klab/client/error.hpp"

namespace klab::client {
namespace {

std::uint32_t byte_at(std::string_view bytes, std::size_t i) noexcept {
  return static_cast<unsigned char>(bytes[i]);
}

/// Per-topic counters behind a mutex: a topic's first record inserts, the rest only look up.
/// Heterogeneous lookup avoids building a std::string for every record.
template <typename Value>
class PerTopic {
 public:
  template <typename F>
  auto with(std::string_view topic, F&& f) {
    std::lock_guard lock(mutex_);
    auto it = map_.find(topic);
    if (it == map_.end()) it = map_.emplace(std::string(topic), Value{}).first;
    return f(it->second);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Value, std::less<>> map_;
};

}  // namespace

std::int32_t murmur2(std::string_view bytes) noexcept {
  // The constants of Kafka's Utils.murmur2; Java's int arithmetic wraps like uint32_t here and its
  // >>> is a logical shift, which is what >> does on an unsigned value.
  constexpr std::uint32_t seed = 0x9747b28c;
  constexpr std::uint32_t m = 0x5bd1e995;
  constexpr int r = 24;

  const auto length = bytes.size();
  std::uint32_t h = seed ^ static_cast<std::uint32_t>(length);
  const std::size_t blocks = length / 4;
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t i = b * 4;
    std::uint32_t k = byte_at(bytes, i) | byte_at(bytes, i + 1) << 8 | byte_at(bytes, i + 2) << 16 |
                      byte_at(bytes, i + 3) << 24;  // little-endian, whatever the host is
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const std::size_t tail = blocks * 4;
  switch (length % 4) {
    case 3:
      h ^= byte_at(bytes, tail + 2) << 16;
      [[fallthrough]];
    case 2:
      h ^= byte_at(bytes, tail + 1) << 8;
      [[fallthrough]];
    case 1:
      h ^= byte_at(bytes, tail);
      h *= m;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);  // Java's int: the same bits, read as signed
}

std::int32_t java_key_partition(std::string_view key, std::int32_t partition_count) noexcept {
  if (partition_count <= 0) return 0;
  // toPositive masks the sign bit instead of taking abs(): abs(INT_MIN) would stay negative.
  return (murmur2(key) & 0x7fffffff) % partition_count;
}

struct RoundRobinPartitioner::State {
  PerTopic<std::uint64_t> next;
};

RoundRobinPartitioner::RoundRobinPartitioner() : state_(std::make_shared<State>()) {}

std::int32_t RoundRobinPartitioner::operator()(const PartitionerInput& input) const {
  if (input.partition_count <= 0) return 0;
  auto n = state_->next.with(input.topic, [](std::uint64_t& next) { return next++; });
  return static_cast<std::int32_t>(n % static_cast<std::uint64_t>(input.partition_count));
}

std::int32_t KeyHashPartitioner::operator()(const PartitionerInput& input) const {
  if (input.key) return java_key_partition(*input.key, input.partition_count);
  return keyless_(input);
}

struct StickyPartitioner::State {
  struct Topic {
    std::int32_t partition = 0;
    std::int32_t sent = 0;  // keyless records on `partition` so far
  };
  PerTopic<Topic> topics;
};

StickyPartitioner::StickyPartitioner(std::int32_t records_per_batch)
    : records_per_batch_(records_per_batch), state_(std::make_shared<State>()) {
  if (records_per_batch < 1)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "StickyPartitioner needs records_per_batch >= 1, got " +
                                   std::to_string(records_per_batch)));
}

std::int32_t StickyPartitioner::operator()(const PartitionerInput& input) const {
  if (input.key) return java_key_partition(*input.key, input.partition_count);
  if (input.partition_count <= 0) return 0;
  return state_->topics.with(input.topic, [&](State::Topic& t) {
    if (t.sent >= records_per_batch_) {
      t.partition = t.partition + 1;
      t.sent = 0;
    }
    ++t.sent;
    // Kafka topics only grow, but one partitioner may serve differing counts: stay in range.
    t.partition %= input.partition_count;
    return t.partition;
  });
}

}  // namespace klab::client
