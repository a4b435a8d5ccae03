#pragma once
// An asynchronous Kafka producer: send() queues a record and returns at once; a delivery report
// arrives later on a callback, on the producer's own poll thread.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/record.hpp"

namespace klab::client {

/// Whether a record is in the log, as far as the producer can tell (rd_kafka_message_status).
enum class PersistenceStatus {
  not_persisted,       ///< never written: safe to retry without creating a duplicate
  possibly_persisted,  ///< sent, but no acknowledgement (timeout, connection lost): unknown
  persisted,           ///< acknowledged by the leader with the configured acks
};

/// The outcome of one send().
struct DeliveryReport {
  std::string topic;
  std::int32_t partition = -1;  ///< -1 when no partition was chosen
  std::int64_t offset = -1;     ///< -1 unless persisted; offset_invalid (-1001) with acks=0
  Timestamp timestamp;
  std::optional<std::string> key;  ///< a copy of the record's key
  std::size_t value_size = 0;
  Error error;  ///< no error when persisted
  PersistenceStatus status = PersistenceStatus::not_persisted;
};

/// Called exactly once per record that send() accepted. It runs on the producer's poll thread
/// (or inside flush() / the destructor), so keep it short and never call send_sync() from it.
/// Exceptions it throws are printed to stderr and dropped.
using DeliveryCallback = std::function<void(const DeliveryReport&)>;

class Producer {
 public:
  /// How long the destructor waits for outstanding records before purging them.
  static constexpr std::chrono::milliseconds close_timeout{10'000};

  /// Creates the producer and starts its poll thread, which serves delivery reports and the
  /// Config's statistics/error handlers every 100 ms.
  /// Errors: KafkaException _INVALID_ARG with librdkafka's reason (e.g. enable.idempotence with
  /// acks other than all).
  explicit Producer(const Config& config);
  /// Flushes for up to close_timeout, then purges what is left (those callbacks get
  /// _PURGE_QUEUE / _PURGE_INFLIGHT with status not/possibly persisted), stops the poll thread
  /// and destroys the handle. Every callback has run when it returns.
  ~Producer();
  Producer(Producer&&) noexcept;
  Producer& operator=(Producer&&) noexcept;
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Queues `record`; `callback` (may be empty) later receives the delivery report.
  /// Returns the immediate error, in which case the callback is never called: _QUEUE_FULL
  /// (queue.buffering.max.*), MSG_SIZE_TOO_LARGE, _UNKNOWN_PARTITION, _UNKNOWN_TOPIC,
  /// _INVALID_ARG, _FATAL (the producer is unusable), _STATE.
  /// Asynchronous errors (in the report): _MSG_TIMED_OUT, NOT_ENOUGH_REPLICAS, any broker
  /// Produce error once retries are exhausted, _PURGE_QUEUE / _PURGE_INFLIGHT at destruction.
  Error send(ProducerRecord record, DeliveryCallback callback = {});

  /// send() and wait up to `timeout` for the report, which may carry an error. Without a report
  /// in time it returns one with _TIMED_OUT and status possibly_persisted (the record may still
  /// be delivered later). Errors: KafkaException with any immediate error of send().
  DeliveryReport send_sync(ProducerRecord record, std::chrono::milliseconds timeout);

  /// Waits until every queued record has its report, or `timeout`. Returns _TIMED_OUT when
  /// records are still outstanding.
  Error flush(std::chrono::milliseconds timeout);

  /// Records queued or in flight plus reports and events not yet served. Errors: none.
  int outq_len() const;
  /// librdkafka's instance name, e.g. "rdkafka#producer-1". Errors: none.
  std::string name() const;
  /// The underlying handle, for librdkafka calls this class does not wrap. Errors: none.
  rd_kafka_t* native() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klab::client
