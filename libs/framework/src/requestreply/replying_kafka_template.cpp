#include "klab/framework/requestreply/replying_kafka_template.hpp"

#include <cstdio>
#include <exception>
#include <utility>

#include "klab/client/config_keys.hpp"
#include "klab/client/error.hpp"
#include "klab/client/log.hpp"

namespace klab::framework {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds max_poll_wait{100};
constexpr std::size_t timed_out_memory = 10'000;

std::string uuid_from(std::uint64_t hi, std::uint64_t lo) {
  // Version 4 / variant 1 bits, so the text reads as the UUID a Java replier would print.
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

client::Config reply_consumer_config(const client::Config& config) {
  client::Config out = config;
  if (!out.get("group.id")) {
    // Never joined (assign() only) nor committed to: librdkafka merely insists on having one.
    std::random_device rd;
    out.set(klab::client::keys::group_id,
            "klab-replying-" +
                uuid_from((std::uint64_t{rd()} << 32) | rd(), (std::uint64_t{rd()} << 32) | rd()));
  }
  out.set(klab::client::keys::enable_auto_commit, "false");
  out.set(klab::client::keys::enable_partition_eof, "false");
  return out;
}

std::exception_ptr as_exception(Error error) {
  return std::make_exception_ptr(KafkaException(std::move(error)));
}

}  // namespace

ReplyingKafkaTemplate::ReplyingKafkaTemplate(const client::Config& config, std::string reply_topic,
                                             std::int32_t reply_partition,
                                             std::chrono::milliseconds setup_timeout)
    : reply_topic_(std::move(reply_topic)),
      reply_partition_(reply_partition),
      random_(std::random_device{}()),
      consumer_(reply_consumer_config(config)),
      producer_(config) {
  if (reply_topic_.empty())
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "ReplyingKafkaTemplate: the reply topic is empty"));
  if (reply_partition_ < 0)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "ReplyingKafkaTemplate: reply partition " +
                                   std::to_string(reply_partition_) + " is negative"));
  // Start at the end as it is NOW, not "end" resolved at the first fetch: a reply written
  // between construction and that fetch would otherwise be skipped.
  std::int64_t high = -1;
  try {
    high = consumer_.end_offsets({{reply_topic_, reply_partition_}}, setup_timeout).front().offset;
  } catch (const KafkaException& e) {
    throw KafkaException(e.error(), "ReplyingKafkaTemplate: end offset of reply partition " +
                                        reply_topic_ + "/" + std::to_string(reply_partition_));
  }
  consumer_.assign({{reply_topic_, reply_partition_, high}});
  thread_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

ReplyingKafkaTemplate::~ReplyingKafkaTemplate() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  for (auto& [id, p] : pending_)
    p.promise.set_exception(as_exception(Error(
        RD_KAFKA_RESP_ERR__DESTROY, p.description + ": the ReplyingKafkaTemplate was destroyed "
                                                    "before a reply arrived")));
  pending_.clear();
}

std::size_t ReplyingKafkaTemplate::pending() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::string ReplyingKafkaTemplate::next_correlation_id() {
  std::lock_guard lock(mutex_);
  auto hi = random_();
  return uuid_from(hi, random_());
}

std::future<client::Record> ReplyingKafkaTemplate::send_and_receive(
    client::ProducerRecord request, std::chrono::milliseconds timeout) {
  if (request.topic.empty()) {
    std::promise<client::Record> refused;
    refused.set_exception(as_exception(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "send_and_receive: the request has no topic")));
    return refused.get_future();
  }
  auto id = next_correlation_id();
  request.headers.remove(correlation_id_header);
  request.headers.remove(reply_topic_header);
  request.headers.remove(reply_partition_header);
  request.headers.add(std::string(correlation_id_header), id);
  request.headers.add(std::string(reply_topic_header), reply_topic_);
  request.headers.add(std::string(reply_partition_header),
                      encode_reply_partition(reply_partition_));

  std::future<client::Record> future;
  {
    // Registered before sending: the reply may arrive before send() even returns.
    std::lock_guard lock(mutex_);
    auto& p = pending_[id];
    p.deadline = Clock::now() + timeout;
    p.timeout = timeout;
    p.description = "request " + id + " to topic '" + request.topic + "'";
    future = p.promise.get_future();
  }
  auto err = producer_.send(std::move(request), [this, id](const client::DeliveryReport& report) {
    if (report.error) fail(id, report.error);
  });
  if (err) fail(id, err);
  return future;
}

void ReplyingKafkaTemplate::fail(const std::string& correlation_id, const Error& error) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(correlation_id);
  if (it == pending_.end()) return;
  it->second.promise.set_exception(as_exception(
      Error(error.code(), it->second.description + " was not sent: " + error.to_string())));
  pending_.erase(it);
}

void ReplyingKafkaTemplate::remember_timed_out(const std::string& correlation_id) {
  timed_out_.insert(correlation_id);
  timed_out_order_.push_back(correlation_id);
  if (timed_out_order_.size() > timed_out_memory) {
    timed_out_.erase(timed_out_order_.front());
    timed_out_order_.pop_front();
  }
}

void ReplyingKafkaTemplate::expire(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    it->second.promise.set_exception(as_exception(Error(
        RD_KAFKA_RESP_ERR__TIMED_OUT, it->second.description + " got no reply on " + reply_topic_ +
                                          "/" + std::to_string(reply_partition_) + " within " +
                                          std::to_string(it->second.timeout.count()) + " ms")));
    remember_timed_out(it->first);
    it = pending_.erase(it);
  }
}

void ReplyingKafkaTemplate::on_reply(client::Record reply) {
  const auto* header = reply.headers().last(correlation_id_header);
  if (!header || !header->value) {
    ++unknown_replies_;
    return;
  }
  std::lock_guard lock(mutex_);
  auto it = pending_.find(*header->value);
  if (it != pending_.end()) {
    it->second.promise.set_value(std::move(reply));
    pending_.erase(it);
  } else if (timed_out_.contains(*header->value)) {
    ++late_replies_;
  } else {
    ++unknown_replies_;
  }
}

void ReplyingKafkaTemplate::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    auto wait = max_poll_wait;
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, p] : pending_) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(p.deadline - Clock::now());
        wait = std::max(std::chrono::milliseconds(1), std::min(wait, left));
      }
    }
    try {
      auto record = consumer_.poll(wait);
      if (record && record->error())
        client::log(client::LogLevel::warning, "klab::framework",
                    "ReplyingKafkaTemplate: reply consumer error " + record->error().to_string());
      else if (record)
        on_reply(std::move(*record));
    } catch (const std::exception& e) {
      // A closed consumer (only at destruction) or an unexpected error: keep expiring requests.
      client::log(client::LogLevel::warning, "klab::framework",
                  std::string("ReplyingKafkaTemplate: ") + e.what());
      std::this_thread::sleep_for(max_poll_wait);
    }
    expire(Clock::now());
  }
}

}  // namespace klab::framework
