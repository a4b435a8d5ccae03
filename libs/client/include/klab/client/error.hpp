#pragma once
// One error value for the whole client: a librdkafka error code plus the message that explains
// it, with the flags librdkafka attaches (fatal, retriable, abort the transaction).
#include <librdkafka/rdkafka.h>

#include <iosfwd>
#include <source_location>
#include <stdexcept>
#include <string>
#include <system_error>

namespace klab {

/// The std::error_category of librdkafka error codes; its name() is "kafka".
const std::error_category& kafka_category() noexcept;

/// A Kafka error (or success). Default-constructed it means "no error".
///
/// `if (err)` is true when there IS an error, like std::error_code; `ok()` says the opposite.
/// No member throws (std::bad_alloc aside): Errors: none, for every function below.
class Error {
 public:
  Error() noexcept = default;
  /// A code with librdkafka's description as the message.
  explicit Error(rd_kafka_resp_err_t code);
  /// A code with a more specific message (e.g. the broker's or a config complaint).
  Error(rd_kafka_resp_err_t code, std::string message);

  /// Takes ownership of `error` and destroys it; nullptr means "no error". Keeps librdkafka's
  /// fatal / retriable / txn_requires_abort flags.
  static Error adopt(rd_kafka_error_t* error);
  /// Copies code, message and flags from `error` without taking ownership.
  static Error copy_of(const rd_kafka_error_t* error);
  /// The error that made `rk` fatal (flagged fatal()), or no error when `rk` is healthy.
  /// librdkafka reports fatal errors as _FATAL; this recovers the underlying cause.
  static Error fatal_error_of(rd_kafka_t* rk);

  rd_kafka_resp_err_t code() const noexcept { return static_cast<rd_kafka_resp_err_t>(code_); }
  int value() const noexcept { return code_; }
  /// The code's symbolic name without the RD_KAFKA_RESP_ERR_ prefix, e.g. "NOT_ENOUGH_REPLICAS"
  /// or "_TIMED_OUT" (a leading underscore marks errors raised by the client, not a broker).
  std::string name() const;
  /// Human-readable explanation ("Success" when ok()).
  const std::string& message() const noexcept { return message_; }
  /// The client instance is unusable (e.g. an idempotent producer lost its guarantee).
  bool fatal() const noexcept { return fatal_; }
  /// Retrying the same operation may succeed (leader moved, not enough replicas, timeout ...).
  bool retriable() const noexcept { return retriable_; }
  /// The current transaction must be aborted before continuing.
  bool txn_requires_abort() const noexcept { return txn_requires_abort_; }

  bool ok() const noexcept { return code_ == RD_KAFKA_RESP_ERR_NO_ERROR; }
  /// True when this is an error.
  explicit operator bool() const noexcept { return !ok(); }

  std::error_code error_code() const noexcept { return {code_, kafka_category()}; }
  operator std::error_code() const noexcept { return error_code(); }

  /// "NOT_ENOUGH_REPLICAS (Broker: Not enough in-sync replicas)".
  std::string to_string() const;

  /// Same code (messages and flags may differ).
  friend bool operator==(const Error& a, const Error& b) noexcept { return a.code_ == b.code_; }
  friend bool operator==(const Error& a, rd_kafka_resp_err_t code) noexcept {
    return a.code_ == static_cast<int>(code);
  }

 private:
  int code_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string message_ = "Success";
  bool fatal_ = false;
  bool retriable_ = false;
  bool txn_requires_abort_ = false;
};

std::ostream& operator<<(std::ostream& os, const Error& error);

/// Whether Kafka documents `code` as retriable (a RetriableException in the Java client) or it is
/// one of librdkafka's transient local errors (timeouts, transport, full queue).
bool is_retriable(rd_kafka_resp_err_t code) noexcept;

/// What synchronous calls and constructors throw: the Error plus where it was raised.
class KafkaException : public std::runtime_error {
 public:
  /// what() is "NAME (message)".
  explicit KafkaException(Error error,
                          std::source_location where = std::source_location::current());
  /// what() is "context: NAME (message)".
  KafkaException(Error error, const std::string& context,
                 std::source_location where = std::source_location::current());

  const Error& error() const noexcept { return error_; }
  const std::source_location& where() const noexcept { return where_; }

 private:
  Error error_;
  std::source_location where_;
};

}  // namespace klab
