#pragma once
// Spring's ConcurrentMessageListenerContainer: N consumer threads of one group calling a
// listener for each record, committing per the ack mode, and retrying / recovering failures
// through a DefaultErrorHandler.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/record.hpp"
#include "klab/framework/listener/acknowledgment.hpp"
#include "klab/framework/listener/error_handler.hpp"

namespace klab::framework {

/// When the container commits offsets (it always sets enable.auto.commit=false).
enum class AckMode {
  record,            ///< after each record the listener finished (or that was recovered)
  batch,             ///< after each poll batch, everything the listener finished
  manual,            ///< what the listener acknowledge()d, at the end of the poll batch
  manual_immediate,  ///< what the listener acknowledge()d, at once (commit_sync inside ack)
  count,             ///< once ack_count records were processed since the last commit
  time,              ///< once ack_time passed since the last commit
  count_time,        ///< whichever of count and time comes first
};

/// What a listener gets for one record. `ack` is set only in the manual ack modes.
struct ListenerContext {
  const client::Record& record;
  client::Consumer& consumer;
  Acknowledgment* ack;
};

/// Handles one record; throwing signals failure (the DefaultErrorHandler takes over). With
/// concurrency > 1 it runs on several threads at once.
using RecordListener = std::function<void(const ListenerContext&)>;

/// What a batch listener gets: the records of one poll (at most max_poll_records, consumer
/// error events removed, in partition order within each partition). `ack` is set only in the
/// manual ack modes; acknowledging covers the whole batch. The span is valid only during the
/// call.
struct BatchListenerContext {
  std::span<const client::Record> records;
  client::Consumer& consumer;
  Acknowledgment* ack;
};

/// Handles one poll batch. Throwing BatchListenerFailedException names the failing record (the
/// ones before it count as processed); any other exception fails the whole batch (it is
/// retried as a whole, then each record recovered in order).
using BatchListener = std::function<void(const BatchListenerContext&)>;

struct ContainerProperties {
  /// Topics to subscribe to. Exactly one of topics and topic_pattern must be set.
  std::vector<std::string> topics;
  /// A regular expression (librdkafka's POSIX-like syntax) matched against whole topic names;
  /// a leading '^' is added when missing. Topics created later that match are picked up at the
  /// next metadata refresh (topic.metadata.refresh.interval.ms, default 5 min).
  std::string topic_pattern;
  /// Sets group.id (overriding the consumer config's) when not empty.
  std::string group_id;
  AckMode ack_mode = AckMode::batch;
  /// AckMode::count / count_time: commit once this many records were processed (>= 1).
  std::size_t ack_count = 1;
  /// AckMode::time / count_time: commit once this long passed since the last commit (> 0).
  std::chrono::milliseconds ack_time{5000};
  /// Consumers (threads) in the group; more than the partitions leaves some idle.
  int concurrency = 1;
  /// How long one poll waits for the first record.
  std::chrono::milliseconds poll_timeout{100};
  /// Most records per poll batch (Java's max.poll.records, default 500).
  std::size_t max_poll_records = 500;
};

/// Runs `concurrency` consumers, each on its own std::jthread with its own Consumer in the
/// same group, calling the listener for each record in partition order.
///
/// Failures: the error handler decides retry or recover. A retry seeks the partition back to
/// the failed record and pauses just that partition for the back-off; the thread keeps
/// polling (and serving its other partitions) meanwhile, so the group never sees it as stuck,
/// and resumes + re-seeks when the wait is over.
///
/// Commits are synchronous and for exactly the processed offsets; a failed commit is logged to
/// stderr and the records are delivered again later (at-least-once). On a rebalance the
/// container commits what it processed of the revoked partitions before they go.
/// Consumer errors events (e.g. _PARTITION_EOF) are logged to stderr and skipped.
///
/// DeserializationException (see typed_listener) is never retried: it goes to the error
/// handler's recoverer on its first failure.
class ConcurrentListenerContainer {
 public:
  /// `consumer_config`: bootstrap and any consumer settings; its rebalance listener, if any,
  /// is still called. Errors: KafkaException _INVALID_ARG naming the field: not exactly one
  /// of topics and topic_pattern set, a topic_pattern that is not a valid regex, concurrency
  /// < 1, max_poll_records 0, ack_count 0 (count modes), ack_time <= 0 (time modes), negative
  /// poll_timeout, an empty listener, or no group id (neither in properties nor config).
  ConcurrentListenerContainer(client::Config consumer_config, ContainerProperties properties,
                              RecordListener listener, DefaultErrorHandler error_handler = {});
  /// The same with a listener for whole poll batches. Failures: BatchListenerFailedException
  /// at index k commits records [0, k) (per the ack mode), retries / recovers records[k] as a
  /// record listener's failure would be, then carries on after it. Any other exception
  /// retries the whole batch per the back-off (each partition sought back to its first record
  /// of the batch), then recovers every record of the batch in order and commits past them.
  /// Errors: as above.
  ConcurrentListenerContainer(client::Config consumer_config, ContainerProperties properties,
                              BatchListener listener, DefaultErrorHandler error_handler = {});
  /// stop(). Errors: none.
  ~ConcurrentListenerContainer();
  ConcurrentListenerContainer(const ConcurrentListenerContainer&) = delete;
  ConcurrentListenerContainer& operator=(const ConcurrentListenerContainer&) = delete;

  /// Starts the consumer threads (no-op when running). Consumers join the group in the
  /// background; a consumer that cannot be created logs to stderr and its thread ends.
  /// Errors: std::system_error when a thread cannot start.
  void start();
  /// Graceful: each thread finishes the record (batch listener: the batch) in hand, commits what
  /// was processed (per the ack mode: in manual modes only acknowledged records) and nothing else,
  /// then closes its consumer (leaving the group). Blocks until all threads ended. Idempotent.
  /// Errors: none.
  void stop();
  /// Stops fetching from every assigned partition (including ones assigned later) while the
  /// consumers keep polling, so they stay in the group. Takes effect at the next poll.
  /// Errors: none.
  void pause();
  /// Undoes pause() (partitions in a back-off wait stay paused until it ends). Errors: none.
  void resume();
  /// From start() until stop() begins (false as soon as the threads were asked to stop).
  /// Errors: none.
  bool running() const noexcept { return running_.load(); }
  /// Whether pause() is in effect. Errors: none.
  bool paused() const noexcept { return paused_.load(); }
  /// The properties in effect (group_id filled in from the config). Errors: none.
  const ContainerProperties& properties() const noexcept { return properties_; }

 private:
  struct Worker;
  void validate();
  void run(std::stop_token stop);
  void consume(std::stop_token stop, Worker& worker, client::Consumer& consumer);
  bool deliver(Worker& worker, client::Consumer& consumer, const client::Record& record);
  void deliver_batch(Worker& worker, client::Consumer& consumer,
                     std::vector<client::Record>& records);
  bool handle_failure(Worker& worker, client::Consumer& consumer, const client::Record& record,
                      const std::exception_ptr& error);
  std::optional<std::chrono::milliseconds> retry_delay(const std::exception_ptr& error,
                                                       int failures) const;

  client::Config consumer_config_;
  ContainerProperties properties_;
  RecordListener listener_;
  BatchListener batch_listener_;
  DefaultErrorHandler error_handler_;
  std::atomic<bool> running_{false};
  std::atomic<bool> paused_{false};
  std::mutex lifecycle_mutex_;
  std::vector<std::jthread> threads_;
};

}  // namespace klab::framework
