#include "admin_request.hpp"

namespace klab::client::detail {
namespace {
using namespace std::chrono_literals;
// Admin results always arrive after the request timeout; this covers the queue hop.
constexpr auto result_margin = 5s;
}  // namespace

Error error_of(rd_kafka_resp_err_t code, const char* message) {
  if (!code) return {};
  return message && *message ? Error(code, message) : Error(code);
}

AdminOptionsPtr options_for(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                            std::chrono::milliseconds timeout, bool operation_timeout) {
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
  char reason[512] = "";
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), to_ms(timeout), reason,
                                                sizeof reason))
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, reason));
  // For CreateTopics/DeleteTopics: the controller answers once the change is done (or timeout).
  if (operation_timeout && rd_kafka_AdminOptions_set_operation_timeout(
                               options.get(), to_ms(timeout), reason, sizeof reason))
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, reason));
  return options;
}

EventPtr wait_result(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout,
                     const std::string& what) {
  EventPtr ev(rd_kafka_queue_poll(queue, to_ms(timeout + result_margin)));
  if (!ev)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                               "no result within " + std::to_string(timeout.count()) + " ms"),
                         what);
  if (auto err = rd_kafka_event_error(ev.get()))
    throw KafkaException(error_of(err, rd_kafka_event_error_string(ev.get())), what);
  return ev;
}

}  // namespace klab::client::detail
