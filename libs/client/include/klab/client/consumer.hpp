#pragma once
// A Kafka consumer in a consumer group: subscribe() (or assign()), then poll() in a loop.
// Group membership, heartbeats and rebalances all happen inside poll(): call it regularly
// (at least every max.poll.interval.ms).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstddef>
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
#include "klab/client/rebalance.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"

namespace klab::client {

/// Result of an asynchronous commit: the overall error and the offsets with per-partition
/// errors. Runs inside poll() (or close() / the destructor, with _DESTROY when the consumer
/// went away before the broker answered). Exceptions are logged (klab::client::log) and dropped.
using CommitCallback =
    std::function<void(const Error& error, const std::vector<TopicPartition>& offsets)>;

/// Group rebalances are applied by the Consumer itself (it always installs librdkafka's
/// rebalance_cb and calls assign / incremental_assign), so the application never has to; a
/// Config::rebalance_listener only observes them.
/// A group.id for a consumer that only assign()s and never commits: "klab-<purpose>-<random>".
/// librdkafka 2.0.2 insists on a group even then; the lab makes every such id here, so they are
/// easy to recognise (and ignore) in a group list. Errors: none.
std::string throwaway_group_id(std::string_view purpose);

class Consumer {
 public:
  /// Creates the consumer; group.id must be set (librdkafka 2.0.2 needs a group even for
  /// assign()). Errors: KafkaException _INVALID_ARG without group.id or with a configuration
  /// librdkafka refuses.
  explicit Consumer(const Config& config);
  /// close() (errors ignored; the rebalance listener hears the final revoke), then destroys
  /// the handle. Safe for a consumer that never subscribed, and for a moved-from one.
  ~Consumer();
  /// The rebalance listener's Consumer& follows the move. Errors: none.
  Consumer(Consumer&&) noexcept;
  /// Closes this consumer first (as the destructor does), then takes over `other`.
  /// Errors: none.
  Consumer& operator=(Consumer&&) noexcept;
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// Joins the group for these topics (replacing any earlier subscription); partitions arrive
  /// with later poll() calls. Names starting with '^' are regular expressions.
  /// Errors: KafkaException _INVALID_ARG (empty list), _STATE (closed).
  void subscribe(const std::vector<std::string>& topics);
  /// Leaves the subscription (the group rebalances). Errors: KafkaException _STATE (closed).
  void unsubscribe();
  /// The current subscription. Errors: KafkaException on a closed consumer.
  std::vector<std::string> subscription() const;
  /// Reads exactly these partitions, without group rebalancing. An offset of offset_invalid
  /// resumes from the committed offset (or auto.offset.reset). Errors: KafkaException
  /// _INVALID_ARG, _STATE.
  void assign(const std::vector<TopicPartition>& partitions);
  /// Drops the manual assignment. Errors: as assign().
  void unassign();
  /// Partitions currently assigned (by the group or assign()). Errors: KafkaException _STATE.
  std::vector<TopicPartition> assignment() const;

  /// Waits up to `timeout` for the next record. nullopt on timeout. Consumer error events come
  /// back as a Record whose error() is set: _PARTITION_EOF (only with enable.partition.eof),
  /// UNKNOWN_TOPIC_OR_PART (subscribed topic missing), _AUTO_OFFSET_RESET (auto.offset.reset
  /// = none/error), _TRANSPORT / _ALL_BROKERS_DOWN, _FATAL's cause (fatal() set).
  /// Errors: KafkaException _STATE after close().
  std::optional<Record> poll(std::chrono::milliseconds timeout);

  /// Up to `max_records` records at once, librdkafka's answer to Java's max.poll.records:
  /// waits up to `timeout` for the first one, then adds whatever is already in the local fetch
  /// queue without waiting more. Empty on timeout. Error events come back as Records with
  /// error() set, in order among the records, as with poll(). Rebalances and commit callbacks
  /// are served inside, as with poll().
  /// Errors: KafkaException _STATE after close(); _INVALID_ARG when max_records is 0.
  std::vector<Record> poll_batch(std::size_t max_records, std::chrono::milliseconds timeout);

  /// Commits the current position of every assigned partition and waits for the result.
  /// Nothing consumed yet is not an error. Errors: KafkaException with the broker's error
  /// (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, COORDINATOR_* ...),
  /// _TIMED_OUT, _STATE.
  void commit_sync();
  /// Commits `record.offset() + 1` (the next record to read) for its partition. Errors: as
  /// above, plus _INVALID_ARG for an error-event record.
  void commit_sync(const Record& record);
  /// Commits exactly these offsets (each the next offset to read). Errors: as commit_sync().
  void commit_sync(const std::vector<TopicPartition>& offsets);

  /// Starts a commit of the current positions; `callback` (may be empty) runs inside a later
  /// poll() with the result (_NO_OFFSET when there was nothing to commit). Returns the
  /// immediate error, in which case the callback is not called: _STATE (closed).
  Error commit_async(CommitCallback callback = {});
  /// As above for `record.offset() + 1`. Immediate errors: _STATE, _INVALID_ARG (error event).
  Error commit_async(const Record& record, CommitCallback callback = {});
  /// As above for exactly these offsets. Immediate errors: _STATE.
  Error commit_async(const std::vector<TopicPartition>& offsets, CommitCallback callback = {});

  /// Marks `record` processed: stores `record.offset() + 1` as its partition's next commit
  /// (by auto-commit or an offset-less commit_sync / commit_async). Needs
  /// enable.auto.offset.store=false, which stops poll() from storing offsets the moment it
  /// returns a record (before the application processed it).
  /// Errors: KafkaException _INVALID_ARG (enable.auto.offset.store is true, or an error-event
  /// record), _STATE (the partition is no longer assigned, or the consumer is closed).
  void store_offset(const Record& record);
  /// Stores exactly these offsets (each the next offset to read, no + 1).
  /// Errors: as store_offset(), plus per-partition _UNKNOWN_PARTITION / _STATE as a
  /// KafkaException naming the partition.
  void store_offsets(const std::vector<TopicPartition>& offsets);

  /// The group's committed offsets for `partitions` (offset_invalid when none), asking the
  /// group coordinator. Errors: KafkaException _TIMED_OUT, COORDINATOR_*, _STATE.
  std::vector<TopicPartition> committed(const std::vector<TopicPartition>& partitions,
                                        std::chrono::milliseconds timeout) const;
  /// The offsets the next poll() would read for `partitions` (offset_invalid before the first
  /// fetch). Local, no broker call. Errors: KafkaException _STATE.
  std::vector<TopicPartition> position(const std::vector<TopicPartition>& partitions) const;
  /// position() of every assigned partition. Errors: KafkaException _STATE.
  std::vector<TopicPartition> position() const;
  /// Moves the fetch position of assigned partitions to their given offsets (offset_beginning
  /// and offset_end allowed). Errors: KafkaException _STATE, per-partition
  /// _UNKNOWN_PARTITION (not assigned), _TIMED_OUT.
  void seek(const std::vector<TopicPartition>& offsets, std::chrono::milliseconds timeout);
  /// For each partition, the offset of the first record whose timestamp is at or after the
  /// one given: the `offset` field carries the timestamp (ms since epoch) in and the offset
  /// out; -1 (offset_end) when no record is that new. Asks the partition leaders (ListOffsets);
  /// any partition of the cluster, assigned or not. Per-partition errors are left in each
  /// TopicPartition's `error`.
  /// Errors: KafkaException _TIMED_OUT, _INVALID_ARG (empty list), _UNKNOWN_PARTITION (all
  /// unknown), LEADER_NOT_AVAILABLE, _STATE.
  std::vector<TopicPartition> offsets_for_times(
      const std::vector<TopicPartition>& partitions_with_timestamp_ms_in_offset,
      std::chrono::milliseconds timeout) const;
  /// Low watermark and the end of what this consumer may read of one partition (any partition
  /// of the cluster, assigned or not), asked from its leader. With isolation.level
  /// read_committed (librdkafka's default) `high` is the last stable offset (LSO): the first
  /// offset of the oldest transaction still open on the partition, or the high watermark when
  /// none is open. With read_uncommitted `high` is the high watermark (the log end).
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART, _UNKNOWN_PARTITION,
  /// NOT_LEADER_FOR_PARTITION, _TIMED_OUT, _STATE (closed).
  WatermarkOffsets query_watermark_offsets(const std::string& topic, std::int32_t partition,
                                           std::chrono::milliseconds timeout) const;
  /// The partitions of `topic` with their leaders, replicas and ISR, sorted by id, from the
  /// cluster's metadata (Java's partitionsFor). Never creates the topic.
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART (or the topic's own metadata error, e.g.
  /// LEADER_NOT_AVAILABLE while it is being created), _TIMED_OUT / _TRANSPORT, _STATE.
  std::vector<PartitionInfo> partitions_for(const std::string& topic,
                                            std::chrono::milliseconds timeout) const;
  /// Each partition's first offset still in the log (its log start), asked from the leaders;
  /// the offsets given are ignored (Java's beginningOffsets).
  /// Errors: KafkaException as query_watermark_offsets(), naming the partition.
  std::vector<TopicPartition> beginning_offsets(const std::vector<TopicPartition>& partitions,
                                                std::chrono::milliseconds timeout) const;
  /// Each partition's end as this consumer can read it (Java's endOffsets): the last stable
  /// offset with isolation.level read_committed (librdkafka's default), else the high
  /// watermark. Errors: KafkaException as query_watermark_offsets(), naming the partition.
  std::vector<TopicPartition> end_offsets(const std::vector<TopicPartition>& partitions,
                                          std::chrono::milliseconds timeout) const;
  /// The partition's last stable offset: query_watermark_offsets().high of a read_committed
  /// consumer. Errors: KafkaException _INVALID_ARG when this consumer reads read_uncommitted
  /// (it would get the high watermark instead), and those of query_watermark_offsets().
  std::int64_t last_stable_offset(const std::string& topic, std::int32_t partition,
                                  std::chrono::milliseconds timeout) const;
  /// Moves every assigned partition to its first record at or after `timestamp_ms` (its end
  /// when no record is that new). Nothing assigned: does nothing. `timeout` applies to the
  /// lookup and to the seek each. Errors: those of offsets_for_times() (and its first
  /// per-partition error) and of seek().
  void seek_to_timestamp(std::int64_t timestamp_ms, std::chrono::milliseconds timeout);
  /// seek() of these assigned partitions to their first offset (their offsets are ignored).
  /// Errors: as seek().
  void seek_to_beginning(const std::vector<TopicPartition>& partitions,
                         std::chrono::milliseconds timeout);
  /// seek() of these assigned partitions to their end as it is when this returns (end_offsets():
  /// the last stable offset under read_committed): every record produced after the call is
  /// read. Unlike librdkafka's logical offset_end (and Java's lazy seekToEnd), the end is looked
  /// up now, not at the next fetch. Errors: as end_offsets() and seek().
  void seek_to_end(const std::vector<TopicPartition>& partitions,
                   std::chrono::milliseconds timeout);

  /// Stops / restarts fetching these assigned partitions (membership is kept).
  /// Errors: KafkaException with the first per-partition error, _STATE.
  void pause(const std::vector<TopicPartition>& partitions);
  void resume(const std::vector<TopicPartition>& partitions);

  /// Leaves the group cleanly: revokes the assignment (the rebalance listener hears it and may
  /// still commit_sync), commits if enable.auto.commit, sends LeaveGroup. Idempotent; later calls
  /// return no error. Returns the close error (e.g. _TIMED_OUT when the coordinator cannot be
  /// reached); the consumer is closed regardless.
  Error close();
  /// Whether close() ran. Errors: none.
  bool closed() const noexcept;

  /// The group member id ("" before joining). Errors: KafkaException _STATE.
  std::string member_id() const;
  /// "NONE" before joining a group, else "EAGER" (range, roundrobin: every rebalance revokes
  /// everything) or "COOPERATIVE" (cooperative-sticky: only moving partitions are revoked).
  /// Errors: KafkaException _STATE.
  std::string rebalance_protocol() const;
  /// The group's identity as of now (group id, generation, member id), for a transactional
  /// producer's send_offsets_to_transaction: the coordinator then fences a zombie member of an
  /// older generation. Errors: KafkaException _STATE.
  detail::ConsumerGroupMetadataPtr group_metadata() const;
  /// librdkafka's instance name, e.g. "rdkafka#consumer-2". Errors: none.
  std::string name() const;
  /// The underlying handle, for librdkafka calls this class does not wrap. Errors: none.
  rd_kafka_t* native() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klab::client
