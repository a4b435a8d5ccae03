#pragma once
// A producer of typed keys and values: it serializes a record, then hands the bytes to Producer.
// Serialization happens on the caller's thread before anything is queued, so a value that does
// not serialize is refused right there and never half-sent.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/headers.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/client/result.hpp"
#include "klab/client/serde.hpp"

namespace klab::client {

/// Producer for K keys and V values. Default serdes: see DefaultSerde (strings as is, byte
/// vectors as is, anything else as JSON).
///
/// Thread-safety as Producer's, provided the serdes' serialize() may run concurrently (the
/// ones in this library hold no state).
template <typename K, typename V, typename KeySerde = default_serde_t<K>,
          typename ValueSerde = default_serde_t<V>>
requires Serializer<KeySerde, K> && Serializer<ValueSerde, V>
class TypedProducer {
 public:
  using key_type = K;
  using value_type = V;

  /// ProducerRecord with typed key and value. Unset partition: the partitioner picks one from
  /// the key's bytes.
  struct Record {
    std::string topic;
    std::optional<std::int32_t> partition;
    std::optional<K> key;    ///< nullopt sends a null key (not serialized)
    std::optional<V> value;  ///< nullopt sends a null value, a tombstone (not serialized)
    Headers headers;
    std::optional<std::int64_t> timestamp;  ///< ms since epoch; unset: the time of send()
  };

  /// Errors: as Producer's constructor (KafkaException _INVALID_ARG for a rejected Config).
  explicit TypedProducer(const Config& config, KeySerde key_serde = {}, ValueSerde value_serde = {})
      : key_serde_(std::move(key_serde)), value_serde_(std::move(value_serde)), producer_(config) {}

  /// The ProducerRecord send() would queue: key then value serialized, the rest moved over.
  /// Errors: the key serde's error through as_key_error() (e.g. _KEY_SERIALIZATION, message
  /// "key: ..."), or the value serde's error (e.g. _VALUE_SERIALIZATION).
  Result<ProducerRecord> serialize(Record record) const {
    ProducerRecord out;
    if (record.key) {
      auto key = key_serde_.serialize(*record.key);
      if (!key) return as_key_error(key.error());
      out.key = std::move(key).value();
    }
    if (record.value) {
      auto value = value_serde_.serialize(*record.value);
      if (!value) return value.error();
      out.value = std::move(value).value();
    }
    out.topic = std::move(record.topic);
    out.partition = record.partition;
    out.headers = std::move(record.headers);
    out.timestamp = record.timestamp;
    return out;
  }

  /// Serializes then Producer::send. A serialization failure returns its error and sends
  /// nothing (the callback is never called).
  /// Errors: those of serialize(); then those of Producer::send (immediate: _QUEUE_FULL,
  /// MSG_SIZE_TOO_LARGE, _UNKNOWN_PARTITION, _UNKNOWN_TOPIC, _INVALID_ARG, _FATAL, _STATE;
  /// asynchronous ones arrive in the callback's report).
  Error send(Record record, DeliveryCallback callback = {}) {
    auto raw_record = serialize(std::move(record));
    if (!raw_record) return raw_record.error();
    return producer_.send(std::move(raw_record).value(), std::move(callback));
  }

  /// Same as Producer::send_sync, but a serialization failure comes back as a report with that
  /// error and status not_persisted (no throw), since the caller asked for a report.
  /// Errors: in the report, those of serialize() and of Producer::send_sync (_TIMED_OUT with
  /// possibly_persisted when no report came in time); thrown, KafkaException with an immediate
  /// error of Producer::send.
  DeliveryReport send_sync(Record record, std::chrono::milliseconds timeout) {
    DeliveryReport refused;
    refused.topic = record.topic;
    refused.partition = record.partition.value_or(-1);
    auto raw_record = serialize(std::move(record));
    if (!raw_record) {
      refused.error = raw_record.error();
      refused.status = PersistenceStatus::not_persisted;
      return refused;
    }
    return producer_.send_sync(std::move(raw_record).value(), timeout);
  }

  /// Producer::flush. Errors: _TIMED_OUT when records are still outstanding after `timeout`.
  Error flush(std::chrono::milliseconds timeout) { return producer_.flush(timeout); }

  /// The untyped producer, for outq_len(), name(), native() or sending raw bytes. Errors: none.
  Producer& raw() noexcept { return producer_; }
  const Producer& raw() const noexcept { return producer_; }

  const KeySerde& key_serde() const noexcept { return key_serde_; }
  const ValueSerde& value_serde() const noexcept { return value_serde_; }

 private:
  KeySerde key_serde_;
  ValueSerde value_serde_;
  Producer producer_;
};

}  // namespace klab::client
