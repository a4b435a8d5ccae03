#pragma once
// Choosing a record's partition with a C++ callable instead of librdkafka's built-in partitioners,
// plus the Java client's key hash so a C++ producer can put keys where a Java producer would.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace klab::client {

/// What a partitioner sees of one record.
struct PartitionerInput {
  std::string_view topic;
  /// nullopt for a null key; an empty key is a key (librdkafka and Java both hash it).
  std::optional<std::string_view> key;
  /// Partitions the topic has, per the producer's latest metadata; always > 0.
  std::int32_t partition_count;
};

/// Must be thread-safe (librdkafka calls it from the sending thread and from its own threads) and
/// return [0, partition_count). It runs under librdkafka's topic lock: keep it short and never
/// call the producer from it. Records sent with an explicit partition never reach it.
/// See Config::partitioner() for what an out-of-range result or an exception does.
using Partitioner = std::function<std::int32_t(const PartitionerInput&)>;

/// Kafka's Utils.murmur2 (the Java client's key hash), seed 0x9747b28c, on the raw key bytes.
/// Errors: none.
std::int32_t murmur2(std::string_view bytes) noexcept;

/// The Java client's default partition for a keyed record: toPositive(murmur2(key)) %
/// partition_count (toPositive = x & 0x7fffffff). librdkafka's "murmur2_random" partitioner
/// computes the same. Errors: none; a partition_count <= 0 yields 0.
std::int32_t java_key_partition(std::string_view key, std::int32_t partition_count) noexcept;

/// Each call returns the topic's next partition: 0, 1, 2, ..., partition_count - 1, 0, ...
/// One counter per topic, like the Java client's RoundRobinPartitioner, and keys are ignored.
/// Copies share the counters (a std::function stores a copy).
class RoundRobinPartitioner {
 public:
  RoundRobinPartitioner();
  /// Errors: std::bad_alloc at a topic's first record.
  std::int32_t operator()(const PartitionerInput& input) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// Keyed records go where the Java client puts them (java_key_partition); keyless records are
/// spread round robin over the partitions. Copies share the round-robin counters.
class KeyHashPartitioner {
 public:
  /// Errors: as RoundRobinPartitioner for keyless records; none for keyed ones.
  std::int32_t operator()(const PartitionerInput& input) const;

 private:
  RoundRobinPartitioner keyless_;
};

/// Keyless records stay on one partition for records_per_batch records, then move to the next
/// (starting at partition 0, per topic), so they fill batches the way the Java client's sticky
/// partitioner does, but counted in records rather than batch bytes. Keyed records go to
/// java_key_partition. Copies share the per-topic state.
class StickyPartitioner {
 public:
  /// Errors: KafkaException _INVALID_ARG when records_per_batch < 1.
  explicit StickyPartitioner(std::int32_t records_per_batch = 100);
  /// Errors: std::bad_alloc at a topic's first keyless record.
  std::int32_t operator()(const PartitionerInput& input) const;
  std::int32_t records_per_batch() const noexcept { return records_per_batch_; }

 private:
  struct State;
  std::int32_t records_per_batch_;
  std::shared_ptr<State> state_;
};

}  // namespace klab::client
