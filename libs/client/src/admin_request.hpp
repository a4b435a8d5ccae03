#pragma once
// One admin request of librdkafka's Admin API: options, a private result queue, the call and
// the wait for its one result event. Shared by admin.cpp and admin_acls.cpp.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>

#include "client_handle.hpp"
#include "klab/client/error.hpp"

namespace klab::client::detail {

/// An Error from a code and librdkafka's text ("" or null: the code's own text).
Error error_of(rd_kafka_resp_err_t code, const char* message);

AdminOptionsPtr options_for(rd_kafka_t* rk, rd_kafka_admin_op_t op,
                            std::chrono::milliseconds timeout, bool operation_timeout);

/// Waits on a private queue for the one result event of an admin call.
/// Errors: KafkaException _TIMED_OUT, or the request-level error of the event.
EventPtr wait_result(rd_kafka_queue_t* queue, std::chrono::milliseconds timeout,
                     const std::string& what);

/// `call(options, queue)` issues the librdkafka request; returns its result event.
template <typename Call>
EventPtr run_admin_op(rd_kafka_t* rk, rd_kafka_admin_op_t op, std::chrono::milliseconds timeout,
                      bool operation_timeout, const std::string& what, Call&& call) {
  auto options = options_for(rk, op, timeout, operation_timeout);
  QueuePtr queue(rd_kafka_queue_new(rk));
  call(options.get(), queue.get());
  return wait_result(queue.get(), timeout, what);
}

}  // namespace klab::client::detail
