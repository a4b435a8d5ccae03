#pragma once
// The logging client applications use: log() queues an event and returns; the producer batches
// (linger.ms), compresses (zstd) and sends idempotently with acks=all, keyed by service so one
// service's events keep their order.
#include <atomic>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "klab/client/config.hpp"
#include "klab/client/producer.hpp"

namespace klab::apps::logging {

struct EventLoggerOptions {
  std::string topic = "app.events";
  std::string service;   ///< required
  std::string instance;  ///< part of every event id; empty: the process id
  int linger_ms = 20;
  std::string compression = "zstd";
};

class EventLogger {
 public:
  /// Errors: KafkaException _INVALID_ARG when service is empty or a setting is refused.
  EventLogger(client::Config config, EventLoggerOptions options);
  /// Queues one event and returns its id. Errors: KafkaException when the local queue refuses
  /// it (e.g. _QUEUE_FULL after queue.buffering.max.messages).
  std::string log(const std::string& level, const std::string& message,
                  nlohmann::json fields = nlohmann::json::object());
  /// Waits until every queued event is acknowledged or failed; returns whether all were sent.
  /// Errors: none.
  bool flush(std::chrono::milliseconds timeout);
  std::uint64_t acknowledged() const noexcept { return acked_.load(); }
  std::uint64_t failed() const noexcept { return failed_.load(); }
  std::int64_t last_sequence() const noexcept { return sequence_; }

 private:
  EventLoggerOptions options_;
  client::Producer producer_;
  std::int64_t sequence_ = 0;
  std::atomic<std::uint64_t> acked_{0};
  std::atomic<std::uint64_t> failed_{0};
};

}  // namespace klab::apps::logging
