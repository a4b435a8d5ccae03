#include "event_logger.hpp"

#include <unistd.h>

#include <chrono>

#include "klab/client/error.hpp"
#include "log_event.hpp"

namespace klab::apps::logging {
namespace {

client::Config logger_config(client::Config c, const EventLoggerOptions& o) {
  if (o.service.empty())
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "EventLogger needs a service"),
                         "EventLogger");
  c.set("acks", "all")
      .set("enable.idempotence", "true")
      .set("linger.ms", std::to_string(o.linger_ms))
      .set("compression.type", o.compression);
  return c;
}

}  // namespace

EventLogger::EventLogger(client::Config config, EventLoggerOptions options)
    : options_(std::move(options)), producer_(logger_config(std::move(config), options_)) {
  if (options_.instance.empty()) options_.instance = std::to_string(::getpid());
}

std::string EventLogger::log(const std::string& level, const std::string& message,
                             nlohmann::json fields) {
  LogEvent e;
  e.sequence = ++sequence_;
  e.service = options_.service;
  e.event_id = options_.service + "-" + options_.instance + "-" + std::to_string(e.sequence);
  e.level = level;
  e.message = message;
  e.fields = std::move(fields);
  e.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  client::ProducerRecord r;
  r.topic = options_.topic;
  r.key = options_.service;
  r.value = to_json(e);
  auto refused = producer_.send(r, [this](const client::DeliveryReport& report) {
    if (report.error)
      failed_.fetch_add(1);
    else
      acked_.fetch_add(1);
  });
  if (refused) {
    --sequence_;  // never sent: the next event takes its number
    throw KafkaException(refused, "EventLogger::log");
  }
  return e.event_id;
}

bool EventLogger::flush(std::chrono::milliseconds timeout) {
  producer_.flush(timeout);
  return acked_.load() + failed_.load() == static_cast<std::uint64_t>(sequence_) &&
         failed_.load() == 0;
}

}  // namespace klab::apps::logging
