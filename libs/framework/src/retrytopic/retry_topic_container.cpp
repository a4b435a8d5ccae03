#include "klab/framework/retrytopic/retry_topic_container.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <thread>
#include <utility>

#include "klab/client/admin.hpp"
#include "klab/client/error.hpp"
#include "klab/client/log.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "listener/timestamp_type_name.hpp"

namespace klab::framework {

namespace {

using namespace std::chrono_literals;
using SystemClock = std::chrono::system_clock;

void warn(const std::string& what) {
  client::log(client::LogLevel::warning, "klab::framework", "retry topics: " + what);
}

std::optional<std::int64_t> header_number(const client::Record& record, std::string_view name) {
  const auto* header = record.headers().last(name);
  if (!header || !header->value) return std::nullopt;
  std::int64_t value = 0;
  const auto& text = *header->value;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SystemClock::now().time_since_epoch())
      .count();
}

using detail::timestamp_type_name;

// The consumer config minus consumer-only keys, which a (producer-type) admin handle would
// warn about.
client::Config admin_config_of(const client::Config& config) {
  static constexpr std::string_view consumer_only[] = {"group.id",
                                                       "group.instance.id",
                                                       "enable.auto.commit",
                                                       "auto.commit.interval.ms",
                                                       "auto.offset.reset",
                                                       "enable.auto.offset.store",
                                                       "enable.partition.eof",
                                                       "session.timeout.ms",
                                                       "heartbeat.interval.ms",
                                                       "max.poll.interval.ms",
                                                       "partition.assignment.strategy",
                                                       "isolation.level",
                                                       "fetch.min.bytes",
                                                       "fetch.wait.max.ms",
                                                       "fetch.max.bytes",
                                                       "max.partition.fetch.bytes",
                                                       "check.crcs",
                                                       "group.protocol.type"};
  client::Config out;
  for (const auto& [key, value] : config.values()) {
    if (std::find(std::begin(consumer_only), std::end(consumer_only), key) ==
        std::end(consumer_only))
      out.set(key, value);
  }
  return out;
}

}  // namespace

RetryTopicContainer::RetryTopicContainer(client::Config consumer_config, std::string group_id,
                                         RetryTopicConfiguration configuration,
                                         RecordListener listener, client::Producer& producer,
                                         int concurrency)
    : consumer_config_(std::move(consumer_config)),
      group_id_(std::move(group_id)),
      configuration_(std::move(configuration)),
      listener_(std::move(listener)),
      producer_(&producer),
      concurrency_(concurrency) {
  auto invalid = [](const std::string& what) {
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "RetryTopicContainer." + what));
  };
  if (group_id_.empty()) invalid("group_id: empty");
  if (!listener_) invalid("listener: empty");
  if (concurrency_ < 1) invalid("concurrency: " + std::to_string(concurrency_) + " (must be >= 1)");
  configuration_.validate();

  for (const auto& topic : configuration_.topics()) {
    routes_[topic] = {Kind::main, topic, 1};
    listened_.push_back(topic);
  }
  for (const auto& topic : configuration_.topics()) {
    for (int retry = 1; retry < configuration_.max_attempts(); ++retry) {
      auto name = configuration_.retry_topic(topic, retry);
      // A shared (delay-suffixed) topic keeps the first retry it carries.
      if (routes_.emplace(name, Route{Kind::retry, topic, retry + 1}).second)
        listened_.push_back(std::move(name));
    }
  }
}

RetryTopicContainer::~RetryTopicContainer() { stop(); }

RetryTopicContainer& RetryTopicContainer::dlt_handler(RecordListener handler) {
  if (container_)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "RetryTopicContainer.dlt_handler: set it before start()"));
  dlt_handler_ = std::move(handler);
  return *this;
}

void RetryTopicContainer::start() {
  if (container_) {
    container_->start();
    return;
  }
  if (configuration_.auto_create_topics()) create_topics(consumer_config_, configuration_, 30s);
  auto topics = listened_;
  if (dlt_handler_) {
    for (const auto& topic : configuration_.topics()) {
      auto dlt = configuration_.dlt_topic(topic);
      routes_[dlt] = {Kind::dlt, topic, configuration_.max_attempts()};
      topics.push_back(dlt);
    }
    listened_ = topics;
  }
  // Only publishing failures reach the error handler (the listener's own failures are
  // forwarded) and back-off waits: retry publishing every second, forever, so the record is
  // never committed unpublished.
  DefaultErrorHandler error_handler(
      FixedBackOff{1s, std::numeric_limits<int>::max()},
      [](const client::Record& record, const std::exception_ptr&) {
        throw KafkaException(
            Error(RD_KAFKA_RESP_ERR__FAIL, "not publishable: " + client::coordinates(record)));
      });
  container_ = std::make_unique<ConcurrentListenerContainer>(
      consumer_config_,
      ContainerProperties{.topics = std::move(topics),
                          .group_id = group_id_,
                          .ack_mode = AckMode::record,
                          .concurrency = concurrency_},
      [this](const ListenerContext& context) { on_record(context); }, std::move(error_handler));
  container_->start();
}

void RetryTopicContainer::stop() {
  if (container_) container_->stop();
}

bool RetryTopicContainer::running() const noexcept { return container_ && container_->running(); }

void RetryTopicContainer::on_record(const ListenerContext& context) {
  const auto& record = context.record;
  auto route_it = routes_.find(record.topic());
  if (route_it == routes_.end()) {
    warn("a record from an unknown topic, skipped: " + client::coordinates(record));
    return;
  }
  const Route& route = route_it->second;

  if (route.kind == Kind::dlt) {
    try {
      dlt_handler_(context);
    } catch (const std::exception& e) {
      warn("DLT handler failed, record skipped: " + client::coordinates(record) + ": " + e.what());
    } catch (...) {
      warn("DLT handler failed, record skipped: " + client::coordinates(record));
    }
    return;
  }

  int delivery = 1;
  if (route.kind == Kind::retry) {
    delivery = static_cast<int>(
        header_number(record, retry_topic_headers::attempts).value_or(route.first_delivery));
    if (auto due = header_number(record, retry_topic_headers::backoff_timestamp)) {
      const SystemClock::time_point due_at{std::chrono::milliseconds(*due)};
      // Too early: the container pauses the partition until then (no sleeping here).
      if (SystemClock::now() < due_at)
        throw KafkaBackoffException(due_at, "back-off until " + std::to_string(*due) + " for " +
                                                client::coordinates(record));
    }
  }

  std::exception_ptr error;
  try {
    listener_(context);
    return;
  } catch (...) {
    error = std::current_exception();
  }
  forward(record, route, delivery, error);  // throws when publishing fails: not committed
}

void RetryTopicContainer::forward(const client::Record& record, const Route& route, int delivery,
                                  const std::exception_ptr& error) {
  const bool retry = delivery < configuration_.max_attempts() && configuration_.retryable(error);

  client::ProducerRecord out;
  out.topic = retry ? configuration_.retry_topic(route.main_topic, delivery)
                    : configuration_.dlt_topic(route.main_topic);
  out.partition = record.partition();
  if (auto key = record.key()) out.key = std::string(*key);
  if (auto value = record.value()) out.value = std::string(*value);
  out.headers = record.headers();

  // Where it came from: the main topic's record, kept across the hops (what a replay needs).
  const bool from_main = route.kind == Kind::main;
  auto keep_or_set = [&](std::string_view name, std::string value) {
    if (from_main || !out.headers.last(name)) {
      out.headers.remove(name);
      out.headers.add(std::string(name), std::move(value));
    }
  };
  const auto ts = record.timestamp();
  keep_or_set(retry_origin_headers::topic, std::string(record.topic()));
  keep_or_set(retry_origin_headers::partition, std::to_string(record.partition()));
  keep_or_set(retry_origin_headers::offset, std::to_string(record.offset()));
  keep_or_set(retry_origin_headers::timestamp, std::to_string(ts.ms));
  keep_or_set(retry_origin_headers::timestamp_type, timestamp_type_name(ts.type));
  keep_or_set(retry_topic_headers::original_timestamp, std::to_string(ts.ms));

  // Why and when: the latest failure, the next attempt (Spring counts the DLT as one more, due
  // at once).
  auto [type, message] = exception_type_and_message(error);
  for (auto name : {retry_origin_headers::exception_class, retry_origin_headers::exception_message,
                    retry_topic_headers::attempts, retry_topic_headers::backoff_timestamp}) {
    out.headers.remove(name);
  }
  out.headers.add(std::string(retry_origin_headers::exception_class), std::move(type));
  out.headers.add(std::string(retry_origin_headers::exception_message), std::move(message));
  out.headers.add(std::string(retry_topic_headers::attempts), std::to_string(delivery + 1));
  const auto due = now_ms() + (retry ? configuration_.delay(delivery).count() : 0);
  out.headers.add(std::string(retry_topic_headers::backoff_timestamp), std::to_string(due));

  const auto target = out.topic;
  client::DeliveryReport report;
  try {
    report = producer_->send_sync(std::move(out), 30s);
  } catch (const KafkaException& e) {
    report.error = e.error();  // an immediate error, e.g. _UNKNOWN_PARTITION
  }
  if (report.error) {
    // Thrown to the container's error handler: the source offset stays uncommitted and the
    // record comes again. A _TIMED_OUT report may still be delivered: a duplicate, not a loss.
    warn("publishing " + client::coordinates(record) + " to " + target +
         " failed, not committed: " + report.error.name() + " " + report.error.message());
    throw KafkaException(report.error,
                         "publishing " + client::coordinates(record) + " to " + target);
  }
}

std::vector<std::string> RetryTopicContainer::create_topics(
    const client::Config& admin_config, const RetryTopicConfiguration& configuration,
    std::chrono::milliseconds timeout) {
  configuration.validate();
  client::Admin admin(admin_config_of(admin_config));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left = [&] {
    return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now()),
                    std::chrono::milliseconds(1));
  };

  std::vector<client::NewTopic> wanted;
  for (const auto& main : admin.describe_topics(configuration.topics(), left())) {
    if (main.error) throw KafkaException(main.error, "retry topics of '" + main.name + "'");
    client::NewTopic topic;
    topic.partitions = static_cast<int>(main.partitions.size());
    topic.replication_factor = configuration.replication_factor().value_or(
        main.partitions.empty() ? -1 : static_cast<int>(main.partitions[0].replicas.size()));
    auto names = configuration.retry_topics(main.name);
    names.push_back(configuration.dlt_topic(main.name));
    for (auto& name : names) {
      topic.name = std::move(name);
      wanted.push_back(topic);
    }
  }

  std::vector<std::string> created;
  std::vector<std::string> all;
  for (const auto& result : admin.create_topics(wanted, left())) {
    all.push_back(result.name);
    if (!result.error) {
      created.push_back(result.name);
    } else if (result.error.code() != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      throw KafkaException(result.error, "creating retry topic '" + result.name + "'");
    }
  }

  // Consumers and the producer look the topics up in metadata: wait until it shows leaders.
  for (;;) {
    bool ready = true;
    for (const auto& topic : admin.describe_topics(all, left())) {
      if (topic.error || topic.partitions.empty()) ready = false;
      for (const auto& partition : topic.partitions)
        if (partition.leader < 0) ready = false;
    }
    if (ready) return created;
    if (std::chrono::steady_clock::now() >= deadline)
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT, "retry topics have no leaders yet"));
    std::this_thread::sleep_for(100ms);  // admin-side wait at start-up, not on a poll thread
  }
}

}  // namespace klab::framework
