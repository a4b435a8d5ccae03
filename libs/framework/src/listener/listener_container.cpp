#include "klab/framework/listener/listener_container.hpp"

#include <algorithm>
#include <compare>
#include <map>
#include <regex>
#include <set>
#include <utility>

#include "klab/client/error.hpp"
#include "klab/framework/listener/batch_listener_failed_exception.hpp"
#include "klab/framework/listener/deserialization_exception.hpp"
#include "listener/container_support.hpp"

namespace klab::framework {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using detail::at;
using detail::key_of;
using detail::PartitionKey;
using detail::same_partition;
using detail::seek_timeout;

void log(const std::string& what) { detail::log_line("container", what); }

[[noreturn]] void invalid(const std::string& what) {
  throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, what));
}

bool is_deserialization_error(const std::exception_ptr& error) {
  return exception_of_type<DeserializationException>()(error);
}

bool counts(AckMode mode) { return mode == AckMode::count || mode == AckMode::count_time; }
bool times(AckMode mode) { return mode == AckMode::time || mode == AckMode::count_time; }

// The first record of each partition in `records[from, end)`, in order of appearance.
std::vector<std::pair<PartitionKey, std::int64_t>> first_offsets(
    const std::vector<client::Record>& records, std::size_t from) {
  std::vector<std::pair<PartitionKey, std::int64_t>> firsts;
  for (std::size_t i = from; i < records.size(); ++i) {
    const auto& record = records[i];
    const bool known = std::any_of(firsts.begin(), firsts.end(), [&](const auto& first) {
      return same_partition(first.first, record);
    });
    if (!known) firsts.emplace_back(key_of(record), record.offset());
  }
  return firsts;
}

void seek(client::Consumer& consumer, const PartitionKey& key, std::int64_t offset) {
  try {
    consumer.seek({at(key, offset)}, seek_timeout);
  } catch (const std::exception& e) {
    log(std::string("seek: ") + e.what());
  }
}

}  // namespace

// One consumer thread's bookkeeping; touched only on that thread (the rebalance listener runs
// inside poll on the same thread).
struct ConcurrentListenerContainer::Worker {
  explicit Worker(const ContainerProperties& props) : properties(props) {}

  const ContainerProperties& properties;
  // Next offset to commit per partition: processed (or acknowledged) but not yet committed.
  std::map<PartitionKey, std::int64_t> pending;
  struct Retry {
    std::int64_t offset = -1;  // the failing record (a failed batch: its first record here)
    int failures = 0;
    bool waiting = false;  // the partition is paused for a back-off
    Clock::time_point resume_at{};
  };
  std::map<PartitionKey, Retry> retries;
  bool container_paused = false;
  // For the count / time ack modes.
  std::size_t processed_since_commit = 0;
  Clock::time_point last_commit = Clock::now();

  void commit(client::Consumer& consumer, const std::vector<client::TopicPartition>& offsets) {
    if (offsets.empty()) return;
    try {
      consumer.commit_sync(offsets);
    } catch (const std::exception& e) {
      // The records come again after the rebalance / restart: at-least-once, not lost.
      log(std::string("commit failed: ") + e.what());
    }
  }

  // Commits pending offsets (of `only` when given) and forgets them.
  void commit_pending(client::Consumer& consumer,
                      const std::vector<client::TopicPartition>* only = nullptr) {
    std::vector<client::TopicPartition> offsets;
    for (auto it = pending.begin(); it != pending.end();) {
      const bool wanted = !only || std::any_of(only->begin(), only->end(), [&](const auto& tp) {
        return tp.topic == it->first.topic && tp.partition == it->first.partition;
      });
      if (wanted) {
        offsets.push_back(at(it->first, it->second));
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    if (pending.empty()) {
      processed_since_commit = 0;
      last_commit = Clock::now();
    }
    commit(consumer, offsets);
  }

  // The count / time ack modes: commit when due. Called after each record and at each poll.
  void commit_if_due(client::Consumer& consumer) {
    const AckMode mode = properties.ack_mode;
    if (pending.empty()) return;
    if ((counts(mode) && processed_since_commit >= properties.ack_count) ||
        (times(mode) && Clock::now() - last_commit >= properties.ack_time)) {
      commit_pending(consumer);
    }
  }

  // `next` of `key` is done (processed or recovered): commit now or later per the ack mode.
  // `immediate` commits at once in record / manual_immediate mode (record listeners); batch
  // listeners commit at the end of the poll instead.
  void processed(client::Consumer& consumer, const PartitionKey& key, std::int64_t next,
                 std::size_t records, bool immediate) {
    const AckMode mode = properties.ack_mode;
    if (immediate && (mode == AckMode::record || mode == AckMode::manual_immediate)) {
      commit(consumer, {at(key, next)});
      return;
    }
    auto [slot, inserted] = pending.try_emplace(key, next);
    if (!inserted) slot->second = std::max(slot->second, next);
    if (counts(mode) || times(mode)) {
      processed_since_commit += records;
      commit_if_due(consumer);
    }
  }

  // records[from, to) are done: one pending entry per partition, not one per record.
  void processed(client::Consumer& consumer, const std::vector<client::Record>& records,
                 std::size_t from, std::size_t to) {
    for (const auto& [key, first] : first_offsets(records, from)) {
      std::int64_t next = first;
      std::size_t count = 0;
      for (std::size_t i = from; i < to; ++i) {
        if (!same_partition(key, records[i])) continue;
        next = std::max(next, records[i].offset() + 1);
        ++count;
      }
      if (count > 0) processed(consumer, key, next, count, false);
    }
  }

  void forget(const std::vector<client::TopicPartition>& partitions) {
    for (const auto& tp : partitions) {
      pending.erase({tp.topic, tp.partition});
      retries.erase({tp.topic, tp.partition});
    }
  }
};

ConcurrentListenerContainer::ConcurrentListenerContainer(client::Config consumer_config,
                                                         ContainerProperties properties,
                                                         RecordListener listener,
                                                         DefaultErrorHandler error_handler)
    : consumer_config_(std::move(consumer_config)),
      properties_(std::move(properties)),
      listener_(std::move(listener)),
      error_handler_(std::move(error_handler)) {
  if (!listener_) invalid("no listener (the RecordListener is empty)");
  validate();
}

ConcurrentListenerContainer::ConcurrentListenerContainer(client::Config consumer_config,
                                                         ContainerProperties properties,
                                                         BatchListener listener,
                                                         DefaultErrorHandler error_handler)
    : consumer_config_(std::move(consumer_config)),
      properties_(std::move(properties)),
      batch_listener_(std::move(listener)),
      error_handler_(std::move(error_handler)) {
  if (!batch_listener_) invalid("no listener (the BatchListener is empty)");
  validate();
}

void ConcurrentListenerContainer::validate() {
  const bool has_topics = !properties_.topics.empty();
  const bool has_pattern = !properties_.topic_pattern.empty();
  if (has_topics == has_pattern)
    invalid(std::string("exactly one of ContainerProperties.topics and "
                        "ContainerProperties.topic_pattern must be set (") +
            (has_topics ? "both are" : "neither is") + ")");
  if (std::any_of(properties_.topics.begin(), properties_.topics.end(),
                  [](const std::string& topic) { return topic.empty(); }))
    invalid("ContainerProperties.topics holds an empty topic name");
  if (has_pattern) {
    if (properties_.topic_pattern.front() != '^')
      properties_.topic_pattern.insert(properties_.topic_pattern.begin(), '^');
    try {
      std::regex check(properties_.topic_pattern);
    } catch (const std::regex_error& e) {
      invalid("ContainerProperties.topic_pattern '" + properties_.topic_pattern +
              "' is not a valid regular expression: " + e.what());
    }
  }
  if (properties_.concurrency < 1) invalid("ContainerProperties.concurrency < 1");
  if (properties_.max_poll_records == 0) invalid("ContainerProperties.max_poll_records is 0");
  if (properties_.poll_timeout.count() < 0) invalid("ContainerProperties.poll_timeout < 0");
  if (counts(properties_.ack_mode) && properties_.ack_count == 0)
    invalid("ContainerProperties.ack_count is 0 (AckMode::count / count_time need >= 1)");
  if (times(properties_.ack_mode) && properties_.ack_time.count() <= 0)
    invalid("ContainerProperties.ack_time <= 0 (AckMode::time / count_time need > 0)");
  if (!properties_.group_id.empty()) consumer_config_.group_id(properties_.group_id);
  auto group = consumer_config_.get("group.id");
  if (!group || group->empty())
    invalid("group.id is not set (neither ContainerProperties.group_id nor the config)");
  properties_.group_id = *group;
  // The container decides what is committed; librdkafka must not commit on its own.
  consumer_config_.enable_auto_commit(false);
}

ConcurrentListenerContainer::~ConcurrentListenerContainer() { stop(); }

void ConcurrentListenerContainer::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (running_) return;
  running_ = true;
  for (int i = 0; i < properties_.concurrency; ++i) {
    threads_.emplace_back([this](std::stop_token stop) { run(stop); });
  }
}

void ConcurrentListenerContainer::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  for (auto& thread : threads_) thread.request_stop();
  running_ = false;  // after the request, so !running() means the threads are winding down
  threads_.clear();  // joins
}

void ConcurrentListenerContainer::pause() { paused_ = true; }
void ConcurrentListenerContainer::resume() { paused_ = false; }

void ConcurrentListenerContainer::run(std::stop_token stop) {
  Worker worker(properties_);
  client::Config config = consumer_config_;
  auto user_listener = config.rebalance_listener();
  config.rebalance_listener(
      [&worker, user_listener](client::Consumer& consumer, const client::RebalanceEvent& event) {
        if (event.kind == client::RebalanceKind::revoked) {
          // Still ours: commit what was processed before the next owner starts from there.
          worker.commit_pending(consumer, &event.partitions);
        }
        if (event.kind != client::RebalanceKind::assigned) worker.forget(event.partitions);
        if (user_listener) user_listener(consumer, event);
      });
  try {
    client::Consumer consumer(config);
    consume(stop, worker, consumer);
    worker.commit_pending(consumer);
    if (auto error = consumer.close()) log("close: " + error.message());
  } catch (const std::exception& e) {
    log(std::string("consumer thread ended: ") + e.what());
  }
}

void ConcurrentListenerContainer::consume(std::stop_token stop, Worker& worker,
                                          client::Consumer& consumer) {
  if (properties_.topic_pattern.empty()) {
    consumer.subscribe(properties_.topics);
  } else {
    consumer.subscribe({properties_.topic_pattern});
  }
  const AckMode mode = properties_.ack_mode;
  worker.last_commit = Clock::now();
  while (!stop.stop_requested()) {
    // Container pause: pause every assigned partition each round, so partitions assigned by a
    // rebalance during the pause are paused too.
    if (paused_) {
      if (auto assigned = consumer.assignment(); !assigned.empty()) consumer.pause(assigned);
      worker.container_paused = true;
    } else if (worker.container_paused) {
      std::vector<client::TopicPartition> to_resume;
      for (const auto& tp : consumer.assignment()) {
        auto retry = worker.retries.find({tp.topic, tp.partition});
        if (retry == worker.retries.end() || !retry->second.waiting) to_resume.push_back(tp);
      }
      if (!to_resume.empty()) consumer.resume(to_resume);
      worker.container_paused = false;
    }
    // Back-off waits that are over: resume the partition and fetch the failed record again.
    for (auto& [key, retry] : worker.retries) {
      if (!retry.waiting || Clock::now() < retry.resume_at) continue;
      retry.waiting = false;
      try {
        if (!worker.container_paused) consumer.resume({at(key)});
        // Re-seek: the fetch position may have moved on while paused.
        consumer.seek({at(key, retry.offset)}, seek_timeout);
      } catch (const std::exception& e) {
        log(std::string("resuming after back-off: ") + e.what());
      }
    }

    auto batch = consumer.poll_batch(properties_.max_poll_records, properties_.poll_timeout);
    auto waiting = [&](const client::Record& record) {
      if (worker.retries.empty()) return false;
      auto retry = worker.retries.find(key_of(record));
      return retry != worker.retries.end() && retry->second.waiting;  // fetched pre-pause
    };
    if (batch_listener_) {
      std::erase_if(batch, [&](const client::Record& record) {
        if (record.error()) {
          log("consumer event: " + record.error().name() + " " + record.error().message());
          return true;
        }
        return waiting(record);
      });
      if (!batch.empty() && !stop.stop_requested()) deliver_batch(worker, consumer, batch);
    } else {
      // Partitions sought back in this batch: their later records come again after the retry.
      std::set<PartitionKey> rewound;
      PartitionKey key;  // the current record's, rebuilt only when the partition changes
      bool have_key = false;
      for (const auto& record : batch) {
        if (stop.stop_requested()) break;  // graceful: the rest stays uncommitted
        if (record.error()) {
          log("consumer event: " + record.error().name() + " " + record.error().message());
          continue;
        }
        if (!have_key || !same_partition(key, record)) {
          key = key_of(record);
          have_key = true;
        }
        if (!rewound.empty() && rewound.contains(key)) continue;
        if (waiting(record)) continue;
        if (!deliver(worker, consumer, record)) rewound.insert(key);
      }
    }
    if (counts(mode) || times(mode)) {
      worker.commit_if_due(consumer);
    } else {
      // record / manual_immediate: only what a batch listener left pending.
      worker.commit_pending(consumer);
    }
  }
}

std::optional<std::chrono::milliseconds> ConcurrentListenerContainer::retry_delay(
    const std::exception_ptr& error, int failures) const {
  // A value that does not deserialize now never will: retrying only delays the dead letter.
  if (is_deserialization_error(error)) return std::nullopt;
  try {
    return error_handler_.retry_delay(error, failures);
  } catch (const std::exception& e) {
    log(std::string("error handler threw, recovering: ") + e.what());
    return std::nullopt;
  }
}

// Calls the listener once; on failure asks the error handler. Returns false when the partition
// was sought back to this record (retry, or failed recovery).
bool ConcurrentListenerContainer::deliver(Worker& worker, client::Consumer& consumer,
                                          const client::Record& record) {
  const std::int64_t next = record.offset() + 1;
  const AckMode mode = properties_.ack_mode;
  std::exception_ptr error;
  try {
    if (mode == AckMode::manual || mode == AckMode::manual_immediate) {
      Acknowledgment ack([&] {
        if (mode == AckMode::manual_immediate) {
          consumer.commit_sync(record);  // throws to the listener on failure
        } else {
          worker.pending[key_of(record)] = next;
        }
      });
      listener_(ListenerContext{record, consumer, &ack});
    } else {
      listener_(ListenerContext{record, consumer, nullptr});
      // Most records: no failure history, one pending slot update. Build the key only when
      // the partition has no slot yet.
      auto slot = worker.pending.end();
      if (mode != AckMode::record) {
        slot = std::find_if(worker.pending.begin(), worker.pending.end(),
                            [&](const auto& entry) { return same_partition(entry.first, record); });
      }
      if (slot != worker.pending.end() && mode == AckMode::batch) {
        slot->second = next;
      } else {
        worker.processed(consumer, key_of(record), next, 1, true);
      }
    }
    if (!worker.retries.empty()) worker.retries.erase(key_of(record));
    return true;
  } catch (...) {
    error = std::current_exception();
  }
  return handle_failure(worker, consumer, record, error);
}

// The failure of one record (a record listener's, or the one a BatchListenerFailedException
// named): retry it (seek back, maybe pause) or recover it. Returns true when recovered (and
// marked processed), false when its partition was sought back to it.
bool ConcurrentListenerContainer::handle_failure(Worker& worker, client::Consumer& consumer,
                                                 const client::Record& record,
                                                 const std::exception_ptr& error) {
  auto key = key_of(record);
  auto& retry = worker.retries[key];
  if (retry.offset != record.offset()) retry = {record.offset(), 0, false, {}};
  ++retry.failures;
  auto delay = retry_delay(error, retry.failures);

  if (!delay) {
    try {
      error_handler_.recover(record, error);
    } catch (const std::exception& e) {
      log(std::string("recovery failed, the record will be redelivered: ") + e.what());
      worker.retries.erase(key);  // a fresh round of retries next time
      seek(consumer, key, record.offset());
      return false;
    }
    worker.retries.erase(key);
    // Recovered counts as done, in every ack mode.
    worker.processed(consumer, key, record.offset() + 1, 1, !batch_listener_);
    return true;
  }

  // Retry: rewind this partition to the failed record. With a wait, pause it too and keep
  // polling (the other partitions flow, heartbeats and max.poll.interval.ms stay happy).
  try {
    if (delay->count() > 0) {
      consumer.pause({at(key)});
      retry.waiting = true;
      retry.resume_at = Clock::now() + *delay;
    }
    consumer.seek({at(key, record.offset())}, seek_timeout);
  } catch (const std::exception& e) {
    log(std::string("rewinding for retry: ") + e.what());
  }
  return false;
}

void ConcurrentListenerContainer::deliver_batch(Worker& worker, client::Consumer& consumer,
                                                std::vector<client::Record>& records) {
  const AckMode mode = properties_.ack_mode;
  const bool manual = mode == AckMode::manual || mode == AckMode::manual_immediate;
  std::exception_ptr error;
  std::optional<std::size_t> failed_index;
  bool acknowledged = false;
  try {
    std::optional<Acknowledgment> ack;
    if (manual) {
      ack.emplace([&] {
        if (mode == AckMode::manual_immediate) {
          std::vector<client::TopicPartition> offsets;
          for (const auto& [key, first] : first_offsets(records, 0)) {
            std::int64_t next = first;
            for (const auto& record : records)
              if (same_partition(key, record)) next = std::max(next, record.offset() + 1);
            offsets.push_back(at(key, next));
          }
          consumer.commit_sync(offsets);  // throws to the listener on failure
        }
        // manual: applied only once the listener returned, so a batch that acknowledges and
        // then fails commits nothing past the failure.
        acknowledged = true;
      });
    }
    batch_listener_(BatchListenerContext{std::span<const client::Record>(records), consumer,
                                         ack ? &*ack : nullptr});
    if (!manual || (mode == AckMode::manual && acknowledged)) {
      worker.processed(consumer, records, 0, records.size());
    }
    if (!worker.retries.empty())
      for (const auto& [key, first] : first_offsets(records, 0)) worker.retries.erase(key);
    return;
  } catch (const BatchListenerFailedException& e) {
    error = e.cause() ? e.cause() : std::current_exception();
    if (e.index() < records.size()) {
      failed_index = e.index();
    } else {
      log("BatchListenerFailedException index " + std::to_string(e.index()) +
          " is outside the batch of " + std::to_string(records.size()) +
          ": failing the whole batch");
      error = std::current_exception();
    }
  } catch (...) {
    error = std::current_exception();
  }

  if (failed_index) {
    const std::size_t k = *failed_index;
    worker.processed(consumer, records, 0, k);
    const bool recovered = handle_failure(worker, consumer, records[k], error);
    // The records after it were not handled: fetch them again (after it, when its partition
    // was rewound to it for a retry).
    for (const auto& [key, first] : first_offsets(records, k + 1)) {
      if (!recovered && same_partition(key, records[k])) continue;
      seek(consumer, key, first);
    }
    return;
  }

  // The whole batch failed (Spring's FallbackBatchErrorHandler): retry it as a whole.
  auto firsts = first_offsets(records, 0);
  int failures = 0;
  for (const auto& [key, first] : firsts) {
    auto retry = worker.retries.find(key);
    if (retry != worker.retries.end() && retry->second.offset == first)
      failures = std::max(failures, retry->second.failures);
  }
  ++failures;
  if (auto delay = retry_delay(error, failures)) {
    for (const auto& [key, first] : firsts) {
      auto& retry = worker.retries[key];
      retry = {first, failures, delay->count() > 0, Clock::now() + *delay};
      try {
        if (retry.waiting) consumer.pause({at(key)});
      } catch (const std::exception& e) {
        log(std::string("pausing for retry: ") + e.what());
        retry.waiting = false;
      }
      seek(consumer, key, first);
    }
    return;
  }
  // Retries used up: recover each record in order, then commit past them.
  for (const auto& [key, first] : firsts) worker.retries.erase(key);
  for (std::size_t i = 0; i < records.size(); ++i) {
    try {
      error_handler_.recover(records[i], error);
    } catch (const std::exception& e) {
      log(std::string("recovery failed, the rest of the batch will be redelivered: ") + e.what());
      worker.processed(consumer, records, 0, i);
      for (const auto& [key, first] : first_offsets(records, i)) seek(consumer, key, first);
      return;
    }
  }
  worker.processed(consumer, records, 0, records.size());
}

}  // namespace klab::framework
