#pragma once
// KafkaTemplate: Spring's one-stop producer facade. It serializes typed keys and values, sends
// to an explicit or default topic, reports each outcome as a future or a callback, tells a
// ProducerListener about every send, and runs a block of sends as one transaction.
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
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
#include "klab/framework/core/producer_listener.hpp"

namespace klab::framework {

namespace detail {

/// Tells `listener` (may be null) that `partial` was never sent because of `error`; what the
/// listener throws is printed and dropped. Errors: none.
void notify_refused(const ProducerListener* listener, const client::ProducerRecord& partial,
                    const Error& error) noexcept;

/// The part of KafkaTemplate that does not depend on K and V, compiled once in the library.
/// Owns the producer, the default topic, the listener and the transaction state.
class TemplateCore {
 public:
  /// Errors: KafkaException as Producer's constructor (_INVALID_ARG for a rejected Config).
  explicit TemplateCore(const client::Config& config);

  void set_default_topic(std::string topic) { default_topic_ = std::move(topic); }
  const std::string& default_topic() const noexcept { return default_topic_; }
  void set_producer_listener(ProducerListener listener);

  /// Producer::send with the listener told about the outcome; a refused send tells it too.
  /// Errors: those of Producer::send.
  Error send(client::ProducerRecord record, client::DeliveryCallback callback);
  /// The same, the report delivered through a future (refusals as a ready future). Errors:
  /// in the report, those of Producer::send, immediate or asynchronous.
  std::future<client::DeliveryReport> send_future(client::ProducerRecord record);
  /// Tells the listener that `partial` was never sent because of `error`. Errors: none.
  void refuse(const client::ProducerRecord& partial, const Error& error) const;
  /// A ready future whose report carries `error` (status not_persisted). Errors: none.
  static std::future<client::DeliveryReport> refused_future(const client::ProducerRecord& partial,
                                                            Error error);

  /// init_transactions() on first use, then begin_transaction().
  /// Errors: those of Producer::init_transactions and Producer::begin_transaction.
  Error begin_transaction(std::chrono::milliseconds timeout);
  /// commit_transaction(); when the error requires it, aborts so the next transaction can
  /// start. Errors: those of Producer::commit_transaction.
  Error commit_transaction(std::chrono::milliseconds timeout);
  /// Best-effort abort while an exception is on its way out. Errors: none (dropped: the
  /// exception says more than a failed abort would, and the next begin reports _STATE).
  void abort_quietly(std::chrono::milliseconds timeout) noexcept;

  client::Producer& producer() noexcept { return producer_; }

 private:
  client::Producer producer_;
  std::string default_topic_;
  // Each send captures the listener it started with, so replacing it never races a callback.
  std::shared_ptr<const ProducerListener> listener_;
  std::mutex txn_mutex_;
  bool txn_initialized_ = false;
};

}  // namespace detail

/// Spring's ProducerRecord<K, V>: a record with typed key and value, before serialization;
/// what KafkaTemplate and RoutingKafkaTemplate send.
template <typename K, typename V>
struct TemplateRecord {
  std::string topic;
  std::optional<std::int32_t> partition;  ///< unset: the partitioner picks one from the key
  std::optional<K> key;                   ///< nullopt sends a null key
  std::optional<V> value;                 ///< nullopt sends a tombstone
  client::Headers headers;
  std::optional<std::int64_t> timestamp;  ///< ms since epoch; unset: the time of send()
};

/// Sends K keys and V values. Default serdes as TypedProducer's (strings and byte vectors as
/// is, anything else as JSON); serialization runs on the caller's thread before anything is
/// queued, so a value that does not serialize is refused and never half-sent.
///
/// Thread-safety: the send functions and flush() may be called from any thread; configure
/// (set_default_topic, set_producer_listener) before sharing the template.
template <typename K, typename V, typename KeySerde = client::default_serde_t<K>,
          typename ValueSerde = client::default_serde_t<V>>
requires client::Serializer<KeySerde, K> && client::Serializer<ValueSerde, V>
class KafkaTemplate {
 public:
  using key_type = K;
  using value_type = V;

  using Record = TemplateRecord<K, V>;

  /// Creates the producer (and its poll thread). No broker is contacted yet.
  /// Errors: KafkaException as Producer's constructor (_INVALID_ARG for a rejected Config).
  explicit KafkaTemplate(const client::Config& config, KeySerde key_serde = {},
                         ValueSerde value_serde = {})
      : key_serde_(std::move(key_serde)), value_serde_(std::move(value_serde)), core_(config) {}

  /// The topic send_default() writes to. Errors: none.
  void set_default_topic(std::string topic) { core_.set_default_topic(std::move(topic)); }
  const std::string& default_topic() const noexcept { return core_.default_topic(); }
  /// Replaces the listener; sends already under way keep the one they started with.
  /// Errors: none.
  void set_producer_listener(ProducerListener listener) {
    core_.set_producer_listener(std::move(listener));
  }

  /// Serializes and queues `record`; the future completes with its delivery report. Never
  /// throws for a failed send: a refused one gives a ready future whose report carries the
  /// error (status not_persisted) and nothing is sent.
  /// Errors (in the report): _KEY_SERIALIZATION / _VALUE_SERIALIZATION (or the serde's code);
  /// Producer::send's immediate errors (_QUEUE_FULL, MSG_SIZE_TOO_LARGE, _UNKNOWN_TOPIC,
  /// _STATE outside a transaction on a transactional producer, ...) and asynchronous ones
  /// (_MSG_TIMED_OUT, broker errors, _PURGE_QUEUE / _PURGE_INFLIGHT).
  std::future<client::DeliveryReport> send(Record record) {
    auto raw = serialize(std::move(record));
    if (!raw.record) {
      core_.refuse(raw.partial, raw.record.error());
      return detail::TemplateCore::refused_future(raw.partial, raw.record.error());
    }
    return core_.send_future(std::move(raw.record).value());
  }
  /// send(Record) to `topic`. Errors: as send(Record).
  std::future<client::DeliveryReport> send(std::string topic, std::optional<K> key, V value) {
    return send(
        Record{.topic = std::move(topic), .key = std::move(key), .value = std::move(value)});
  }
  /// send(Record) to the default topic.
  /// Errors: _INVALID_ARG (in the report) when no default topic is set; otherwise as send().
  std::future<client::DeliveryReport> send_default(std::optional<K> key, V value) {
    if (auto err = check_default_topic()) {
      client::ProducerRecord partial;
      core_.refuse(partial, err);
      return detail::TemplateCore::refused_future(partial, std::move(err));
    }
    return send(core_.default_topic(), std::move(key), std::move(value));
  }

  /// The synchronous send (Spring's send(...).get()): send(Record), then waits for the report
  /// and throws when the record was not persisted, so the error surfaces at the call site.
  /// Returns the report of the persisted record (partition, offset).
  /// Errors: KafkaException with the report's error (see send(Record)); _TIMED_OUT when no
  /// report arrived within `timeout` (the record may still be delivered later).
  client::DeliveryReport send_sync(Record record, std::chrono::milliseconds timeout) {
    auto future = send(std::move(record));
    if (future.wait_for(timeout) != std::future_status::ready)
      throw KafkaException(
          Error(RD_KAFKA_RESP_ERR__TIMED_OUT, "send_sync: no delivery report within timeout"));
    auto report = future.get();
    if (report.error) throw KafkaException(report.error, "send_sync to '" + report.topic + "'");
    return report;
  }

  /// Callback form: serializes and queues `record`; `callback` (may be empty) later receives
  /// the report on the producer's poll thread. When an error is returned nothing was sent and
  /// the callback is never called (the listener still hears on_error).
  /// Errors: returned, serialization errors and Producer::send's immediate errors; in the
  /// callback's report, the asynchronous ones (see send(Record)).
  Error send(Record record, client::DeliveryCallback callback) {
    auto raw = serialize(std::move(record));
    if (!raw.record) {
      core_.refuse(raw.partial, raw.record.error());
      return raw.record.error();
    }
    return core_.send(std::move(raw.record).value(), std::move(callback));
  }
  /// Callback form to `topic`. Errors: as send(Record, DeliveryCallback).
  Error send(std::string topic, std::optional<K> key, V value, client::DeliveryCallback callback) {
    return send(Record{.topic = std::move(topic), .key = std::move(key), .value = std::move(value)},
                std::move(callback));
  }

  /// Waits until every queued record has its report (and the listener has heard it).
  /// Errors: _TIMED_OUT when records are still outstanding after `timeout`.
  Error flush(std::chrono::milliseconds timeout) { return core_.producer().flush(timeout); }

  /// Runs `fn(*this)` as one transaction: every record it sends through this template commits
  /// or aborts together. Needs transactional.id in the Config; the first call also runs
  /// init_transactions(). When `fn` throws, the transaction is aborted and the exception
  /// rethrown. A failed commit is retried once when retriable; if it still fails (and is not
  /// fatal) the transaction is aborted before returning, so the next call starts afresh.
  /// Not reentrant: calling it from inside `fn` returns _STATE.
  /// Errors: _NOT_CONFIGURED (no transactional.id); init_transactions' (_TIMED_OUT,
  /// _FENCED / PRODUCER_FENCED fatal, ...); begin_transaction's (_STATE); commit_transaction's
  /// (_TIMED_OUT, a record's delivery error such as _MSG_TIMED_OUT, _FENCED fatal: recreate
  /// the template). Whatever `fn` throws.
  template <typename Fn>
  requires std::invocable<Fn&, KafkaTemplate&> Error
  execute_in_transaction(Fn&& fn, std::chrono::milliseconds timeout) {
    if (auto err = core_.begin_transaction(timeout)) return err;
    try {
      std::invoke(fn, *this);
    } catch (...) {
      core_.abort_quietly(timeout);
      throw;
    }
    return core_.commit_transaction(timeout);
  }

  /// The producer underneath, for outq_len(), native() or the transaction calls this template
  /// does not wrap (e.g. send_offsets_to_transaction inside execute_in_transaction).
  /// Errors: none.
  client::Producer& producer() noexcept { return core_.producer(); }
  const KeySerde& key_serde() const noexcept { return key_serde_; }
  const ValueSerde& value_serde() const noexcept { return value_serde_; }

 private:
  struct Serialized {
    client::Result<client::ProducerRecord> record;
    client::ProducerRecord partial;  ///< what the listener sees when serialization failed
  };

  Error check_default_topic() const {
    if (!core_.default_topic().empty()) return {};
    return Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                 "send_default: no default topic (call set_default_topic first)");
  }

  // Key first, then value, so a failure names the part that failed and `partial` keeps the
  // parts that did serialize.
  Serialized serialize(Record record) const {
    client::ProducerRecord out;
    out.topic = std::move(record.topic);
    out.partition = record.partition;
    out.timestamp = record.timestamp;
    if (record.key) {
      auto key = key_serde_.serialize(*record.key);
      if (!key) return {client::as_key_error(key.error()), std::move(out)};
      out.key = std::move(key).value();
    }
    if (record.value) {
      auto value = value_serde_.serialize(*record.value);
      if (!value) return {value.error(), std::move(out)};
      out.value = std::move(value).value();
    }
    out.headers = std::move(record.headers);
    return {std::move(out), {}};
  }

  KeySerde key_serde_;
  ValueSerde value_serde_;
  detail::TemplateCore core_;
};

}  // namespace klab::framework
