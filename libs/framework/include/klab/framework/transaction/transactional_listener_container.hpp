#pragma once
// Spring's listener container with a KafkaTransactionManager: consume-process-produce exactly
// once. Each poll batch is one Kafka transaction holding the listener's output records AND the
// consumer offsets of the batch, so both become visible together or not at all.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/framework/listener/back_off.hpp"

namespace klab::framework {

/// What a transactional listener gets for one record: `producer` has the batch's transaction
/// open, so everything sent through it commits or aborts together with the batch's offsets.
struct TransactionalContext {
  const client::Record& record;
  client::Consumer& consumer;
  client::Producer& producer;
};

/// Handles one record inside the batch's transaction; throwing aborts the transaction.
/// With concurrency > 1 it runs on several threads at once (each with its own producer).
using TransactionalListener = std::function<void(const TransactionalContext&)>;

/// Called, inside a fresh transaction, for a record whose retries are used up (Spring's
/// DefaultAfterRollbackProcessor recoverer). What it sends through the context's producer (e.g.
/// a dead-letter record) commits atomically with skipping the record. Throwing aborts that
/// transaction and the record starts a new round of retries.
using TransactionalRecoverer =
    std::function<void(const TransactionalContext&, std::exception_ptr error)>;

struct TransactionalContainerProperties {
  std::vector<std::string> topics;
  /// Sets group.id (overriding the consumer config's) when not empty.
  std::string group_id;
  /// Each consumer thread i gets its own producer with transactional.id = prefix + "-" + i, so
  /// a restarted container fences its own previous incarnation thread by thread. Required.
  std::string transactional_id_prefix;
  /// Consumers (threads) in the group, each with its own transactional producer.
  int concurrency = 1;
  /// How long one poll waits for the first record.
  std::chrono::milliseconds poll_timeout{100};
  /// Most records per poll batch, i.e. per transaction.
  std::size_t max_poll_records = 500;
  /// Limit for each transactional call (init, send offsets, commit, abort).
  std::chrono::milliseconds operation_timeout{30'000};
  /// Waits between redeliveries of a failed batch and when to give up on its failing record.
  BackOff back_off = FixedBackOff{std::chrono::milliseconds{0}, 9};
  /// For records whose retries are used up; without one they are logged and skipped.
  TransactionalRecoverer recoverer;
};

/// Runs `concurrency` consumers of one group (isolation.level=read_committed, auto commit off),
/// each on its own std::jthread with its own transactional Producer. Per poll batch:
/// begin_transaction, the listener for each record, send_offsets_to_transaction (the offsets
/// after the batch, with the consumer's group metadata so the coordinator fences zombies of an
/// older group generation, KIP-447), commit_transaction.
///
/// Listener failure: abort_transaction, seek every partition of the batch back to its first
/// record, wait per the back-off (those partitions paused, the thread keeps polling), redeliver
/// the whole batch; when the back-off gives up, the recoverer (or a log line) takes the
/// failing record inside the next transaction. An abortable commit / send-offsets error
/// (txn_requires_abort) aborts and redelivers the batch without counting as a failure.
///
/// Fatal producer errors (PRODUCER_FENCED: another producer with the same transactional.id
/// called init_transactions; INVALID_PRODUCER_EPOCH ...) end that thread with a log line on
/// stderr naming the transactional.id and the error, and are kept for fatal_errors(); the
/// aborted batch is left to the group's next owner of the partitions.
class TransactionalListenerContainer {
 public:
  /// `consumer_config`: bootstrap and consumer settings; `producer_config`: bootstrap and
  /// producer settings (transactional.id is set per thread, idempotence follows).
  /// Errors: KafkaException _INVALID_ARG when topics is empty, concurrency < 1, no listener,
  /// no transactional_id_prefix, no group id (neither in properties nor in the config), or
  /// isolation.level is set to read_uncommitted in `consumer_config`.
  TransactionalListenerContainer(client::Config consumer_config, client::Config producer_config,
                                 TransactionalContainerProperties properties,
                                 TransactionalListener listener);
  /// stop(). Errors: none.
  ~TransactionalListenerContainer();
  TransactionalListenerContainer(const TransactionalListenerContainer&) = delete;
  TransactionalListenerContainer& operator=(const TransactionalListenerContainer&) = delete;

  /// Starts the threads (no-op when running). Each creates its consumer and producer and calls
  /// init_transactions in the background; a thread that cannot logs to stderr and ends.
  /// Errors: std::system_error when a thread cannot start.
  void start();
  /// Graceful: each thread stops after the record in hand, commits the transaction with what it
  /// processed of the batch (the rest is redelivered to the next owner), closes its consumer.
  /// Blocks until all threads ended. Idempotent. Errors: none.
  void stop();
  /// From start() until stop() begins. Errors: none.
  bool running() const noexcept { return running_.load(); }
  /// Committed transactions so far, over all threads (empty ones are never sent). Errors: none.
  std::size_t committed_transactions() const noexcept { return committed_.load(); }
  /// Aborted transactions so far, over all threads. Errors: none.
  std::size_t aborted_transactions() const noexcept { return aborted_.load(); }
  /// Fatal errors that ended a thread (e.g. PRODUCER_FENCED), in the order they happened.
  /// Errors: none.
  std::vector<klab::Error> fatal_errors() const;

 private:
  struct Worker;
  void run(std::stop_token stop, int index);
  void consume(std::stop_token stop, Worker& worker);
  void fail_fatally(Worker& worker, const klab::Error& error, const std::string& during);

  client::Config consumer_config_;
  client::Config producer_config_;
  TransactionalContainerProperties properties_;
  TransactionalListener listener_;
  std::atomic<bool> running_{false};
  std::atomic<std::size_t> committed_{0};
  std::atomic<std::size_t> aborted_{0};
  mutable std::mutex fatal_mutex_;
  std::vector<klab::Error> fatal_errors_;
  std::mutex lifecycle_mutex_;
  std::vector<std::jthread> threads_;
};

}  // namespace klab::framework
