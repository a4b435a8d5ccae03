#pragma once
// What a consumer reads (Record, a view that owns librdkafka's message) and what a producer
// writes (ProducerRecord, plain owned values).
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/detail/handles.hpp"
#include "klab/client/error.hpp"
#include "klab/client/headers.hpp"

namespace klab::client {

enum class TimestampType { none, create_time, log_append_time };

struct Timestamp {
  TimestampType type = TimestampType::none;
  std::int64_t ms = -1;  ///< milliseconds since the Unix epoch; -1 when type is none
  friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

/// A consumed record, or a consumer error event when error() is set (then only error() and,
/// when librdkafka knows them, topic()/partition()/offset() are meaningful).
///
/// Key and value are views into the message this Record owns: copy them out before the Record
/// goes away. Move-only; a moved-from Record may only be destroyed or assigned. Not thread-safe
/// (headers() fills a cache on first use).
///
/// No accessor throws (headers() aside from std::bad_alloc): Errors: none.
///
/// librdkafka cannot destroy a consumer while any of its messages is alive, so a Record keeps
/// its consumer's handle alive (not usable: closed) until the Record is destroyed; the last one
/// to go runs rd_kafka_destroy().
class Record {
 public:
  /// Takes ownership of a consumed message; error() comes from message->err. `keepalive` is
  /// held until the message is destroyed (the consumer's handle).
  explicit Record(detail::MessagePtr message, std::shared_ptr<const void> keepalive = {});
  /// Same, with an error that replaces the message's (e.g. the underlying fatal error).
  Record(detail::MessagePtr message, Error error, std::shared_ptr<const void> keepalive = {});

  Record(Record&&) noexcept = default;
  Record& operator=(Record&& other) noexcept;  // drops its message before its keepalive
  Record(const Record&) = delete;
  Record& operator=(const Record&) = delete;
  ~Record() = default;

  /// The topic name ("" for error events not tied to a topic).
  std::string_view topic() const noexcept;
  std::int32_t partition() const noexcept { return message_->partition; }
  std::int64_t offset() const noexcept { return message_->offset; }
  /// nullopt for a null key; an empty view for an empty one.
  std::optional<std::string_view> key() const noexcept;
  /// nullopt for a null value (a tombstone); an empty view for an empty one.
  std::optional<std::string_view> value() const noexcept;
  /// Copied out of the message on first call. Errors: none.
  const Headers& headers() const;
  Timestamp timestamp() const noexcept;
  /// Set for consumer error events (_PARTITION_EOF, UNKNOWN_TOPIC_OR_PART, _FATAL's cause ...).
  const Error& error() const noexcept { return error_; }
  /// The partition leader epoch of the record; needs librdkafka >= 2.1.0, else nullopt.
  std::optional<std::int32_t> leader_epoch() const noexcept;

  const rd_kafka_message_t* native() const noexcept { return message_.get(); }

 private:
  std::shared_ptr<const void> keepalive_;  // declared first: released after message_
  detail::MessagePtr message_;
  Error error_;
  mutable std::optional<Headers> headers_;
};

/// "topic/partition@offset": how logs and errors name a record.
std::string coordinates(const Record& record);

/// A record to send. Unset partition: the partitioner picks one from the key.
struct ProducerRecord {
  std::string topic;
  std::optional<std::int32_t> partition;
  std::optional<std::string> key;    ///< nullopt sends a null key
  std::optional<std::string> value;  ///< nullopt sends a null value (a tombstone)
  Headers headers;
  std::optional<std::int64_t> timestamp;  ///< ms since epoch; unset: the time of send()
};

}  // namespace klab::client
