#include "api_error.hpp"

#include "klab/client/error.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::console {

ApiError invalid_input(const std::string& message) { return {400, "invalid_input", message}; }
ApiError not_found(const std::string& message) { return {404, "not_found", message}; }
ApiError conflict(const std::string& message) { return {409, "conflict", message}; }

void send_json(httplib::Response& res, const nlohmann::json& body, int status) {
  res.status = status;
  // Replace invalid UTF-8 rather than throw: names and messages come from the cluster.
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& code,
                const std::string& message) {
  send_json(res, {{"error", {{"code", code}, {"message", message}}}}, status);
}

namespace {

// Kafka errors the user can fix get their own status; the rest are the cluster's (502).
void send_kafka_error(httplib::Response& res, const klab::Error& e) {
  std::string text = e.name() + ": " + e.message();
  switch (e.code()) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
      return send_error(res, 404, "not_found", text);
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
    case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return send_error(res, 409, "conflict", text);
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return send_error(res, 400, "invalid_input", text);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
      return send_error(res, 503, "cluster_unavailable",
                        text + " (is the cluster running? `klab status`)");
    default:
      return send_error(res, 502, "kafka_error", text);
  }
}

}  // namespace

Handler guarded(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    try {
      handler(req, res);
    } catch (const ApiError& e) {
      send_error(res, e.status(), e.code(), e.what());
    } catch (const klab::KafkaException& e) {
      send_kafka_error(res, e.error());
    } catch (const klab::lab::LabError& e) {
      switch (e.kind()) {
        case klab::lab::LabError::Kind::invalid_input:
          return send_error(res, 400, "invalid_input", e.what());
        case klab::lab::LabError::Kind::not_found:
          return send_error(res, 404, "not_found", e.what());
        case klab::lab::LabError::Kind::conflict:
          return send_error(res, 409, "conflict", e.what());
        case klab::lab::LabError::Kind::failed:
          return send_error(res, 502, "failed", e.what());
      }
    } catch (const nlohmann::json::exception& e) {
      send_error(res, 400, "invalid_input", std::string("bad JSON: ") + e.what());
    } catch (const std::exception& e) {
      send_error(res, 500, "internal_error", e.what());
    }
  };
}

Handler mutating(bool read_only, Handler handler) {
  return guarded([read_only, handler = std::move(handler)](const httplib::Request& req,
                                                           httplib::Response& res) {
    if (read_only)
      throw ApiError(403, "read_only",
                     "the console runs with --read-only: changes are disabled (restart `klab "
                     "console` without --read-only to allow them)");
    handler(req, res);
  });
}

}  // namespace klab::console
