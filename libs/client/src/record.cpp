#include "klab/client/record.hpp"

#include "klab/client/version.hpp"

namespace klab::client {
namespace {

Error error_of(const rd_kafka_message_t* m) {
  if (!m->err) return {};
  // For consumer error events librdkafka puts the detailed message in the payload.
  if (m->payload && m->len > 0)
    return Error(m->err, std::string(static_cast<const char*>(m->payload), m->len));
  return Error(m->err);
}

std::optional<std::string_view> view(const void* p, size_t len) {
  if (!p) return std::nullopt;
  return std::string_view(static_cast<const char*>(p), len);
}

}  // namespace

Record::Record(detail::MessagePtr message, std::shared_ptr<const void> keepalive)
    : keepalive_(std::move(keepalive)), message_(std::move(message)) {
  error_ = error_of(message_.get());
}

Record::Record(detail::MessagePtr message, Error error, std::shared_ptr<const void> keepalive)
    : keepalive_(std::move(keepalive)), message_(std::move(message)), error_(std::move(error)) {}

Record& Record::operator=(Record&& other) noexcept {
  if (this != &other) {
    message_.reset();  // while the old keepalive still holds the handle
    keepalive_ = std::move(other.keepalive_);
    message_ = std::move(other.message_);
    error_ = std::move(other.error_);
    headers_ = std::move(other.headers_);
  }
  return *this;
}

std::string_view Record::topic() const noexcept {
  return message_->rkt ? rd_kafka_topic_name(message_->rkt) : "";
}

std::optional<std::string_view> Record::key() const noexcept {
  if (error_) return std::nullopt;
  return view(message_->key, message_->key_len);
}

std::optional<std::string_view> Record::value() const noexcept {
  if (error_) return std::nullopt;  // the payload of an error event is its message, not data
  return view(message_->payload, message_->len);
}

const Headers& Record::headers() const {
  if (!headers_) {
    rd_kafka_headers_t* h = nullptr;
    if (!error_ && rd_kafka_message_headers(message_.get(), &h) == RD_KAFKA_RESP_ERR_NO_ERROR)
      headers_ = Headers::from_native(h);  // h stays owned by the message
    else
      headers_ = Headers();
  }
  return *headers_;
}

Timestamp Record::timestamp() const noexcept {
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  std::int64_t ms = rd_kafka_message_timestamp(message_.get(), &type);
  switch (type) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
      return {TimestampType::create_time, ms};
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
      return {TimestampType::log_append_time, ms};
    default:
      return {};
  }
}

std::optional<std::int32_t> Record::leader_epoch() const noexcept {
#if KLAB_RDKAFKA_AT_LEAST(2, 1, 0)
  auto epoch = rd_kafka_message_leader_epoch(message_.get());
  if (epoch >= 0) return epoch;
#endif
  return std::nullopt;
}

std::string coordinates(const Record& record) {
  return std::string(record.topic()) + '/' + std::to_string(record.partition()) + '@' +
         std::to_string(record.offset());
}

}  // namespace klab::client
