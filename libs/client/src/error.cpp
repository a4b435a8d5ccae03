#include "klab/client/error.hpp"

#include <ostream>

namespace klab {
namespace {

class KafkaCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int code) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code));
  }
};

}  // namespace

const std::error_category& kafka_category() noexcept {
  static const KafkaCategory category;
  return category;
}

bool is_retriable(rd_kafka_resp_err_t code) noexcept {
  switch (code) {
    // Broker errors Kafka marks retriable (RetriableException subclasses in the Java client).
    case RD_KAFKA_RESP_ERR_INVALID_MSG:  // Kafka's CORRUPT_MESSAGE
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_INVALID_FETCH_SESSION_EPOCH:
    case RD_KAFKA_RESP_ERR_LISTENER_NOT_FOUND:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_ELIGIBLE_LEADERS_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS:
    case RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
    // librdkafka's own transient conditions.
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
      return true;
    default:
      return false;
  }
}

Error::Error(rd_kafka_resp_err_t code) : Error(code, rd_kafka_err2str(code)) {}

Error::Error(rd_kafka_resp_err_t code, std::string message)
    : code_(code),
      message_(std::move(message)),
      // A plain code only knows "fatal" when librdkafka says so through the code itself.
      fatal_(code == RD_KAFKA_RESP_ERR__FATAL),
      retriable_(is_retriable(code)) {}

Error Error::copy_of(const rd_kafka_error_t* error) {
  if (!error) return {};
  Error e(rd_kafka_error_code(error), rd_kafka_error_string(error));
  e.fatal_ = rd_kafka_error_is_fatal(error) != 0;
  e.retriable_ = rd_kafka_error_is_retriable(error) != 0;
  e.txn_requires_abort_ = rd_kafka_error_txn_requires_abort(error) != 0;
  return e;
}

Error Error::adopt(rd_kafka_error_t* error) {
  if (!error) return {};
  Error e = copy_of(error);
  rd_kafka_error_destroy(error);
  return e;
}

Error Error::fatal_error_of(rd_kafka_t* rk) {
  char reason[512] = "";
  auto code = rd_kafka_fatal_error(rk, reason, sizeof reason);
  if (!code) return {};
  Error e(code, reason);
  e.fatal_ = true;
  e.retriable_ = false;
  return e;
}

std::string Error::name() const { return rd_kafka_err2name(code()); }

std::string Error::to_string() const { return name() + " (" + message_ + ")"; }

std::ostream& operator<<(std::ostream& os, const Error& error) { return os << error.to_string(); }

KafkaException::KafkaException(Error error, std::source_location where)
    : std::runtime_error(error.to_string()), error_(std::move(error)), where_(where) {}

KafkaException::KafkaException(Error error, const std::string& context, std::source_location where)
    : std::runtime_error(context + ": " + error.to_string()),
      error_(std::move(error)),
      where_(where) {}

}  // namespace klab
