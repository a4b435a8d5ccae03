#include "klab/framework/transaction/transactional_listener_container.hpp"

#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "listener/container_support.hpp"

namespace klab::framework {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using detail::at;
using detail::at_all;
using detail::describe;
using detail::key_of;
using detail::PartitionKey;
using detail::seek_timeout;

void log_tx(const std::string& what) { detail::log_line("transactional container", what); }

// Retriable transactional calls (coordinator moving, timeouts) are repeated this often.
constexpr int max_retriable_attempts = 5;

}  // namespace

// One thread's state; touched only on that thread (the rebalance listener runs inside poll).
struct TransactionalListenerContainer::Worker {
  int index = 0;
  std::string transactional_id;
  bool fatal = false;

  // The record that failed last and how often in a row.
  std::optional<std::pair<PartitionKey, std::int64_t>> failing;
  int failures = 0;
  // Back-off in progress: these partitions are paused and sought back here when it ends.
  std::map<PartitionKey, std::int64_t> waiting;
  Clock::time_point resume_at{};
  // Records whose retries are used up: the next delivery goes to the recoverer instead.
  std::map<std::pair<PartitionKey, std::int64_t>, std::exception_ptr> to_recover;
  // Last, so they go first: closing the consumer runs the rebalance listener, which uses the
  // state above.
  std::unique_ptr<client::Producer> producer;
  std::unique_ptr<client::Consumer> consumer;

  void forget(const std::vector<client::TopicPartition>& partitions) {
    for (const auto& tp : partitions) {
      PartitionKey key{tp.topic, tp.partition};
      waiting.erase(key);
      std::erase_if(to_recover, [&](const auto& entry) { return entry.first.first == key; });
      if (failing && failing->first == key) {
        failing.reset();
        failures = 0;
      }
    }
  }

  // Seeks each partition back to `offsets` (the batch's first records), logging failures: a
  // partition that cannot be sought was revoked, and its next owner starts from the commit.
  void rewind(const std::map<PartitionKey, std::int64_t>& offsets) {
    try {
      consumer->seek(at_all(offsets), seek_timeout);
    } catch (const std::exception& e) {
      log_tx("rewinding the batch: " + std::string(e.what()));
    }
  }
};

TransactionalListenerContainer::TransactionalListenerContainer(
    client::Config consumer_config, client::Config producer_config,
    TransactionalContainerProperties properties, TransactionalListener listener)
    : consumer_config_(std::move(consumer_config)),
      producer_config_(std::move(producer_config)),
      properties_(std::move(properties)),
      listener_(std::move(listener)) {
  auto invalid = [](const std::string& what) {
    return KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, what));
  };
  if (properties_.topics.empty()) throw invalid("TransactionalContainerProperties.topics is empty");
  if (properties_.concurrency < 1)
    throw invalid("TransactionalContainerProperties.concurrency < 1");
  if (properties_.transactional_id_prefix.empty())
    throw invalid("TransactionalContainerProperties.transactional_id_prefix is empty");
  if (!listener_) throw invalid("no listener");
  if (!properties_.group_id.empty()) consumer_config_.group_id(properties_.group_id);
  if (!consumer_config_.get("group.id")) throw invalid("group.id is not set");
  if (auto level = consumer_config_.get("isolation.level"); level && *level != "read_committed")
    throw invalid("isolation.level=" + *level +
                  ": a transactional container must read read_committed, or it would process "
                  "records of aborted transactions");
  consumer_config_.isolation_level(client::IsolationLevel::read_committed);
  // Offsets are committed only inside the transactions.
  consumer_config_.enable_auto_commit(false);
}

TransactionalListenerContainer::~TransactionalListenerContainer() { stop(); }

void TransactionalListenerContainer::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (running_) return;
  running_ = true;
  for (int i = 0; i < properties_.concurrency; ++i) {
    threads_.emplace_back([this, i](std::stop_token stop) { run(stop, i); });
  }
}

void TransactionalListenerContainer::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  for (auto& thread : threads_) thread.request_stop();
  running_ = false;
  threads_.clear();  // joins
}

std::vector<klab::Error> TransactionalListenerContainer::fatal_errors() const {
  std::lock_guard lock(fatal_mutex_);
  return fatal_errors_;
}

void TransactionalListenerContainer::fail_fatally(Worker& worker, const klab::Error& error,
                                                  const std::string& during) {
  // librdkafka reports a fenced producer as _FATAL / _FENCED; the handle knows the cause.
  klab::Error cause = worker.producer ? Error::fatal_error_of(worker.producer->native()) : Error{};
  const klab::Error& shown = cause ? cause : error;
  log_tx("thread " + std::to_string(worker.index) + " (transactional.id=" +
         worker.transactional_id + ") stops: fatal " + shown.to_string() + " during " + during +
         (shown == RD_KAFKA_RESP_ERR_PRODUCER_FENCED || shown == RD_KAFKA_RESP_ERR__FENCED
              ? " - a newer producer with the same transactional.id took over (zombie fenced)"
              : ""));
  worker.fatal = true;
  std::lock_guard lock(fatal_mutex_);
  fatal_errors_.push_back(shown);
}

void TransactionalListenerContainer::run(std::stop_token stop, int index) {
  Worker worker;
  worker.index = index;
  worker.transactional_id = properties_.transactional_id_prefix + "-" + std::to_string(index);
  client::Config config = consumer_config_;
  auto user_listener = config.rebalance_listener();
  config.rebalance_listener(
      [&worker, user_listener](client::Consumer& consumer, const client::RebalanceEvent& event) {
        // No transaction is ever open inside poll, so a revoke has nothing to finish.
        if (event.kind != client::RebalanceKind::assigned) worker.forget(event.partitions);
        if (user_listener) user_listener(consumer, event);
      });
  try {
    client::Config producer_config = producer_config_;
    producer_config.transactional_id(worker.transactional_id);
    worker.producer = std::make_unique<client::Producer>(producer_config);
    klab::Error init;
    for (int attempt = 0; attempt < max_retriable_attempts; ++attempt) {
      init = worker.producer->init_transactions(properties_.operation_timeout);
      if (!init || !init.retriable() || stop.stop_requested()) break;
    }
    if (init) {
      if (init.fatal()) {
        fail_fatally(worker, init, "init_transactions");
      } else {
        log_tx("thread " + std::to_string(index) + " (transactional.id=" + worker.transactional_id +
               ") stops: init_transactions: " + init.to_string());
      }
      return;
    }
    worker.consumer = std::make_unique<client::Consumer>(config);
    consume(stop, worker);
    if (auto error = worker.consumer->close()) log_tx("close: " + error.to_string());
  } catch (const std::exception& e) {
    log_tx("thread " + std::to_string(index) + " ended: " + e.what());
  }
}

void TransactionalListenerContainer::consume(std::stop_token stop, Worker& worker) {
  auto& consumer = *worker.consumer;
  auto& producer = *worker.producer;
  const auto timeout = properties_.operation_timeout;
  consumer.subscribe(properties_.topics);

  // Aborts after a failure; false when the producer is no longer usable.
  auto abort = [&](const std::string& why) {
    ++aborted_;
    klab::Error error;
    for (int attempt = 0; attempt < max_retriable_attempts; ++attempt) {
      error = producer.abort_transaction(timeout);
      if (!error || !error.retriable()) break;
    }
    if (error.fatal() || Error::fatal_error_of(producer.native())) {
      fail_fatally(worker, error, "abort_transaction after " + why);
      return false;
    }
    if (error) log_tx("abort_transaction after " + why + ": " + error.to_string());
    return true;
  };

  while (!stop.stop_requested() && !worker.fatal) {
    if (!worker.waiting.empty() && Clock::now() >= worker.resume_at) {
      try {
        consumer.resume(at_all(worker.waiting));
      } catch (const std::exception& e) {
        log_tx(std::string("resuming after back-off: ") + e.what());
      }
      worker.rewind(worker.waiting);  // the position may have moved while paused
      worker.waiting.clear();
    }

    auto polled = consumer.poll_batch(properties_.max_poll_records, properties_.poll_timeout);
    std::vector<const client::Record*> batch;
    std::map<PartitionKey, std::int64_t> first;  // per partition: where a redelivery starts
    for (const auto& record : polled) {
      if (record.error()) {
        log_tx("consumer event: " + record.error().to_string());
        continue;
      }
      auto key = key_of(record);
      if (worker.waiting.contains(key)) continue;  // fetched before the back-off paused it
      first.try_emplace(key, record.offset());
      batch.push_back(&record);
    }
    if (batch.empty()) continue;

    if (auto error = producer.begin_transaction()) {
      if (error.fatal()) {
        fail_fatally(worker, error, "begin_transaction");
      } else {
        log_tx("begin_transaction: " + error.to_string());
        worker.rewind(first);
      }
      continue;
    }

    std::map<PartitionKey, std::int64_t> next;  // per partition: after the last done record
    std::exception_ptr failure;
    const client::Record* failed = nullptr;
    bool recovering = false;
    for (const auto* record : batch) {
      if (stop.stop_requested() && !next.empty()) break;  // graceful: commit what is done
      auto key = key_of(*record);
      TransactionalContext context{*record, consumer, producer};
      auto recover = worker.to_recover.find({key, record->offset()});
      recovering = recover != worker.to_recover.end();
      try {
        if (!recovering) {
          listener_(context);
        } else if (properties_.recoverer) {
          properties_.recoverer(context, recover->second);
        } else {
          log_tx("retries exhausted, skipping " + key.topic + "/" + std::to_string(key.partition) +
                 "@" + std::to_string(record->offset()) + ": " + describe(recover->second));
        }
      } catch (...) {
        failure = std::current_exception();
        failed = record;
        break;
      }
      next[key] = record->offset() + 1;
    }

    if (failed) {
      auto key = key_of(*failed);
      log_tx("listener failed at " + key.topic + "/" + std::to_string(key.partition) + "@" +
             std::to_string(failed->offset()) + ", aborting the transaction: " + describe(failure));
      if (!abort("a listener failure")) break;
      worker.rewind(first);
      std::pair<PartitionKey, std::int64_t> id{key, failed->offset()};
      if (recovering) {
        // The recoverer failed: a fresh round of retries for the record.
        log_tx("recoverer failed: " + describe(failure));
        worker.to_recover.erase(id);
        worker.failing.reset();
        worker.failures = 0;
        continue;
      }
      if (worker.failing != id) {
        worker.failing = id;
        worker.failures = 0;
      }
      ++worker.failures;
      std::optional<std::chrono::milliseconds> delay;
      try {
        delay = properties_.back_off.next_delay(worker.failures);
      } catch (const std::exception& e) {
        log_tx(std::string("back-off threw, recovering: ") + e.what());
      }
      if (!delay) {
        worker.to_recover[id] = failure;
        worker.failing.reset();
        worker.failures = 0;
      } else if (delay->count() > 0) {
        try {
          consumer.pause(at_all(first));
          worker.waiting = first;
          worker.resume_at = Clock::now() + *delay;
        } catch (const std::exception& e) {
          log_tx(std::string("pausing for the back-off: ") + e.what());
        }
      }
      continue;
    }

    if (next.empty()) {  // stopped before the first record: nothing to commit
      abort("a stop before any record");
      break;
    }

    // Offsets and outputs commit together; a failure from here on redelivers the batch.
    auto finish = [&](const char* call, auto&& operation) {
      klab::Error error;
      for (int attempt = 0; attempt < max_retriable_attempts; ++attempt) {
        error = operation();
        if (!error || !error.retriable() || error.txn_requires_abort() || error.fatal()) break;
      }
      if (!error) return true;
      if (error.fatal()) {
        fail_fatally(worker, error, call);
      } else {
        log_tx(std::string(call) + ": " + error.to_string() + ", aborting the transaction");
        if (abort(call)) worker.rewind(first);
      }
      return false;
    };
    const auto offsets = at_all(next);
    if (!finish("send_offsets_to_transaction",
                [&] { return producer.send_offsets_to_transaction(offsets, consumer, timeout); }))
      continue;
    if (!finish("commit_transaction", [&] { return producer.commit_transaction(timeout); }))
      continue;
    ++committed_;
    for (const auto& [key, offset] : next) {
      std::erase_if(worker.to_recover, [&](const auto& entry) {
        return entry.first.first == key && entry.first.second < offset;
      });
      if (worker.failing && worker.failing->first == key && worker.failing->second < offset) {
        worker.failing.reset();
        worker.failures = 0;
      }
    }
  }
}

}  // namespace klab::framework
