#include "klab/framework/listener/listener_container.hpp"

#include <algorithm>
#include <compare>
#include <iostream>
#include <map>
#include <set>
#include <utility>

#include "klab/client/error.hpp"

namespace klab::framework {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct PartitionKey {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const PartitionKey&) const = default;
};

PartitionKey key_of(const client::Record& record) {
  return {std::string(record.topic()), record.partition()};
}

client::TopicPartition at(const PartitionKey& key, std::int64_t offset = client::offset_invalid) {
  return {key.topic, key.partition, offset, {}};
}

void log(const std::string& what) { std::cerr << "klab::framework container: " << what << '\n'; }

// How long a seek may wait for librdkafka to apply it.
constexpr auto seek_timeout = 5s;

}  // namespace

// One consumer thread's bookkeeping; touched only on that thread (the rebalance listener runs
// inside poll on the same thread).
struct ConcurrentListenerContainer::Worker {
  // Next offset to commit per partition: processed (or acknowledged) but not yet committed.
  std::map<PartitionKey, std::int64_t> pending;
  struct Retry {
    std::int64_t offset = -1;  // the failing record
    int failures = 0;
    bool waiting = false;  // the partition is paused for a back-off
    Clock::time_point resume_at{};
  };
  std::map<PartitionKey, Retry> retries;
  bool container_paused = false;

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
    commit(consumer, offsets);
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
  if (properties_.topics.empty())
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "ContainerProperties.topics is empty"));
  if (properties_.concurrency < 1)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "ContainerProperties.concurrency < 1"));
  if (!listener_) throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "no listener"));
  if (!properties_.group_id.empty()) consumer_config_.group_id(properties_.group_id);
  if (!consumer_config_.get("group.id"))
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "group.id is not set"));
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
  Worker worker;
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
  consumer.subscribe(properties_.topics);
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
    // Partitions sought back in this batch: their later records come again after the retry.
    std::set<PartitionKey> rewound;
    for (const auto& record : batch) {
      if (stop.stop_requested()) break;  // graceful: the rest stays uncommitted
      if (record.error()) {
        log("consumer event: " + record.error().name() + " " + record.error().message());
        continue;
      }
      auto key = key_of(record);
      if (rewound.contains(key)) continue;
      auto retry = worker.retries.find(key);
      if (retry != worker.retries.end() && retry->second.waiting) continue;  // fetched pre-pause
      if (!deliver(worker, consumer, record)) rewound.insert(std::move(key));
    }
    if (properties_.ack_mode == AckMode::batch || properties_.ack_mode == AckMode::manual) {
      worker.commit_pending(consumer);
    }
  }
}

// Calls the listener once; on failure asks the error handler. Returns false when the partition
// was sought back to this record (retry, or failed recovery).
bool ConcurrentListenerContainer::deliver(Worker& worker, client::Consumer& consumer,
                                          const client::Record& record) {
  auto key = key_of(record);
  const std::int64_t next = record.offset() + 1;
  const AckMode mode = properties_.ack_mode;
  // Done with this record: commit now or at batch end, as the ack mode says.
  auto processed = [&] {
    if (mode == AckMode::record || mode == AckMode::manual_immediate) {
      worker.commit(consumer, {at(key, next)});
    } else {
      worker.pending[key] = next;
    }
  };

  std::exception_ptr error;
  try {
    if (mode == AckMode::manual || mode == AckMode::manual_immediate) {
      Acknowledgment ack([&] {
        if (mode == AckMode::manual_immediate) {
          consumer.commit_sync({at(key, next)});  // throws to the listener on failure
        } else {
          worker.pending[key] = next;
        }
      });
      listener_(ListenerContext{record, consumer, &ack});
    } else {
      listener_(ListenerContext{record, consumer, nullptr});
      processed();
    }
    worker.retries.erase(key);
    return true;
  } catch (...) {
    error = std::current_exception();
  }

  auto& retry = worker.retries[key];
  if (retry.offset != record.offset()) retry = {record.offset(), 0, false, {}};
  ++retry.failures;
  std::optional<std::chrono::milliseconds> delay;
  try {
    delay = error_handler_.retry_delay(error, retry.failures);
  } catch (const std::exception& e) {
    log(std::string("error handler threw, recovering: ") + e.what());
  }

  if (!delay) {
    try {
      error_handler_.recover(record, error);
    } catch (const std::exception& e) {
      log(std::string("recovery failed, the record will be redelivered: ") + e.what());
      worker.retries.erase(key);  // a fresh round of retries next time
      try {
        consumer.seek({at(key, record.offset())}, seek_timeout);
      } catch (const std::exception& seek_error) {
        log(std::string("seek: ") + seek_error.what());
      }
      return false;
    }
    worker.retries.erase(key);
    processed();  // recovered counts as done, in every ack mode
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

}  // namespace klab::framework
