#pragma once
// A consumer of typed keys and values: it polls a Record, then decodes its key and value.
// Decoding never throws: a record that does not decode (a "poison pill") comes back with the
// error in its Message, so one bad record cannot wedge the consumer in a crash-and-reread loop.
// The caller decides: skip it, park it on a dead-letter topic, or stop.
#include <chrono>
#include <optional>
#include <utility>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/record.hpp"
#include "klab/client/result.hpp"
#include "klab/client/serde.hpp"

namespace klab::client {

/// Consumer of K keys and V values. Default deserializers: see DefaultSerde (strings as is,
/// byte vectors as is, anything else as JSON).
///
/// Thread-safety as Consumer's (one polling thread); the deserializers run on that thread.
template <typename K, typename V, typename KeyDeser = default_serde_t<K>,
          typename ValueDeser = default_serde_t<V>>
requires Deserializer<KeyDeser, K> && Deserializer<ValueDeser, V>
class TypedConsumer {
 public:
  using key_type = K;
  using value_type = V;

  /// One polled record with its key and value decoded.
  struct Message {
    /// The raw record: topic, partition, offset, headers, timestamp, and the bytes that did
    /// not decode. Commit or store_offset() it like any record.
    Record record;
    /// Decoded by deserialize_key(). A null key reaches the deserializer as nullopt: with the
    /// string and byte serdes that is an error (_KEY_DESERIALIZATION), so use a K that can say
    /// "no key" (e.g. a custom deserializer of std::optional) when null keys are expected.
    Result<K> key;
    /// Decoded by deserialize_value(); a tombstone is an error for the same reason.
    Result<V> value;

    /// The record is a consumer error event (then key and value carry that error too).
    /// Errors: none.
    bool is_error_event() const noexcept { return static_cast<bool>(record.error()); }
    /// Both key and value decoded. Errors: none.
    bool ok() const noexcept { return key.ok() && value.ok(); }
  };

  /// Errors: as Consumer's constructor (KafkaException _INVALID_ARG without group.id or for a
  /// rejected Config).
  explicit TypedConsumer(const Config& config, KeyDeser key_deserializer = {},
                         ValueDeser value_deserializer = {})
      : key_deserializer_(std::move(key_deserializer)),
        value_deserializer_(std::move(value_deserializer)),
        consumer_(config) {}

  /// Consumer::poll, then decodes key and value. nullopt on timeout. A record that does not
  /// decode is returned, not thrown: its key or value holds the deserializer's error
  /// (_KEY_DESERIALIZATION / _VALUE_DESERIALIZATION). A consumer error event comes back with
  /// record.error() set and that same error in key and value.
  /// Errors: KafkaException _STATE after close() (from Consumer::poll).
  std::optional<Message> poll(std::chrono::milliseconds timeout) {
    auto record = consumer_.poll(timeout);
    if (!record) return std::nullopt;
    auto key = deserialize_key<K>(*record, key_deserializer_);
    auto value = deserialize_value<V>(*record, value_deserializer_);
    return Message{std::move(*record), std::move(key), std::move(value)};
  }

  /// The untyped consumer: subscribe(), commit_sync(), seek(), close() ... Errors: none.
  Consumer& raw() noexcept { return consumer_; }
  const Consumer& raw() const noexcept { return consumer_; }

  const KeyDeser& key_deserializer() const noexcept { return key_deserializer_; }
  const ValueDeser& value_deserializer() const noexcept { return value_deserializer_; }

 private:
  KeyDeser key_deserializer_;
  ValueDeser value_deserializer_;
  Consumer consumer_;
};

}  // namespace klab::client
