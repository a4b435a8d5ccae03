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
#include <string_view>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"

namespace klab::client {

class Consumer;

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
/// Exceptions it throws are logged (klab::client::log) and dropped.
using DeliveryCallback = std::function<void(const DeliveryReport&)>;

/// The partitioner every klab Producer uses unless its Config sets `partitioner` or installs a
/// callable: librdkafka's Java-compatible murmur2 key hash (null keys: sticky, then random).
/// librdkafka's own default is consistent_random (CRC32), which puts most keys on another
/// partition than a Java producer does.
inline constexpr std::string_view default_partitioner = "murmur2_random";

class Producer {
 public:
  /// How long the destructor waits for outstanding records before purging them.
  static constexpr std::chrono::milliseconds close_timeout{10'000};

  /// Creates the producer and starts its poll thread (partitioner: default_partitioner unless
  /// the Config sets one), which serves delivery reports and the
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
  /// librdkafka copies key, value and headers, so `record` may be reused right away. Safe to
  /// call from several threads.
  Error send(const ProducerRecord& record, DeliveryCallback callback = {});

  /// send() and wait up to `timeout` for the report, which may carry an error. Without a report
  /// in time it returns one with _TIMED_OUT and status possibly_persisted (the record may still
  /// be delivered later). Errors: KafkaException with any immediate error of send().
  DeliveryReport send_sync(ProducerRecord record, std::chrono::milliseconds timeout);

  /// Waits until every queued record has its report, or `timeout`. Returns _TIMED_OUT when
  /// records are still outstanding.
  Error flush(std::chrono::milliseconds timeout);

  // --- Transactions (transactional.id must be set) -----------------------------------------
  //
  // The consume-transform-produce loop, exactly once between Kafka topics:
  //
  //   producer.init_transactions(30s);                  // once, after construction
  //   for (;;) {
  //     batch = poll records from the consumer (enable.auto.commit=false);
  //     producer.begin_transaction();
  //     for (record : batch) producer.send(transform(record));
  //     producer.send_offsets_to_transaction(next offsets of batch, consumer, 30s);
  //     err = producer.commit_transaction(30s);
  //     if (err.txn_requires_abort()) { producer.abort_transaction(30s); rewind the consumer
  //                                     to its committed offsets (seek) and redo the batch; }
  //     else if (err.fatal())         { destroy the producer and create a new one (same
  //                                     transactional.id: the broker fences the old one); }
  //     else if (err.retriable())     { call commit_transaction() again; }
  //   }
  //
  // Readers see the records only after the commit, and only with isolation.level
  // read_committed (librdkafka's default; the Java consumer defaults to read_uncommitted).
  // Every call returns the Error with librdkafka's fatal() / retriable() /
  // txn_requires_abort() flags; _NOT_CONFIGURED without transactional.id.

  /// Registers transactional.id with the transaction coordinator, fencing any older producer
  /// with the same id and finishing (committing or aborting) its open transaction. Call once
  /// before the first begin_transaction(); it is safe to retry after a retriable error.
  /// Errors: _TIMED_OUT (retriable), _NOT_CONFIGURED, _CONFLICT (already running),
  /// _FENCED / PRODUCER_FENCED and INVALID_TRANSACTION_TIMEOUT (fatal),
  /// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (fatal).
  Error init_transactions(std::chrono::milliseconds timeout);
  /// Starts a transaction locally (no request): every send() until commit or abort is part of
  /// it. Errors: _STATE (not initialised, or a transaction is already open), _FENCED (fatal),
  /// _NOT_CONFIGURED.
  Error begin_transaction();
  /// Adds the consumer's offsets to the transaction: they are committed for the consumer's
  /// group if and only if the transaction commits. Each `offset` is the next record to read
  /// (last processed + 1); partitions with a negative offset are skipped.
  /// `consumer` is the native handle of the consumer that read the input (its group metadata
  /// lets the broker fence zombies of the same group generation).
  /// Errors: _STATE (no transaction open), _INVALID_ARG (no group metadata),
  /// UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION (the consumer was rebalanced out; abortable),
  /// COORDINATOR_* and _TIMED_OUT (retriable), GROUP_AUTHORIZATION_FAILED (abortable),
  /// _FENCED (fatal).
  Error send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                    rd_kafka_t* consumer, std::chrono::milliseconds timeout);
  /// The same, taking the klab Consumer. Errors: as above.
  Error send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                    const Consumer& consumer, std::chrono::milliseconds timeout);
  /// Flushes the transaction's records, then commits it. On a retriable error (e.g. _TIMED_OUT)
  /// call it again; with txn_requires_abort() call abort_transaction().
  /// Errors: _TIMED_OUT (retriable), _STATE, any delivery error of a record in the transaction
  /// (abortable, e.g. _MSG_TIMED_OUT), _FENCED (fatal: a newer producer with the same
  /// transactional.id called init_transactions()), INVALID_PRODUCER_EPOCH (fatal).
  Error commit_transaction(std::chrono::milliseconds timeout);
  /// Aborts the open transaction: its records become invisible to read_committed consumers and
  /// its offsets are not committed. Records not yet delivered are purged (their reports
  /// carry _PURGE_QUEUE / _PURGE_INFLIGHT).
  /// Errors: _TIMED_OUT (retriable), _STATE, _FENCED (fatal).
  Error abort_transaction(std::chrono::milliseconds timeout);

  /// The partitions of `topic` with their leaders, replicas and ISR, sorted by id (Java's
  /// partitionsFor); the producer keeps the metadata, so the first send() does not wait for it.
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART (or the topic's metadata error),
  /// _TIMED_OUT / _TRANSPORT.
  std::vector<PartitionInfo> partitions_for(const std::string& topic,
                                            std::chrono::milliseconds timeout) const;

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
