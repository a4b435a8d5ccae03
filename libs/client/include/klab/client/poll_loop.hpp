#pragma once
// The consumer's main loop, written once: poll until asked to stop, hand records to the
// application, keep error events apart. Run it on its own std::jthread and request_stop() to end.
#include <chrono>
#include <functional>
#include <stop_token>

#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/record.hpp"

namespace klab::client {

struct PollLoopOptions {
  /// How long one poll() waits; also the longest a stop request waits to be noticed.
  std::chrono::milliseconds poll_timeout{100};
};

/// Polls `consumer` until `stop` is requested (checked before every poll). Records go to
/// `on_record`; error events go to `on_error`, or are logged (klab::client::log) when it is empty;
/// _PARTITION_EOF events are skipped. It does not commit or close: the caller owns the
/// consumer before and after.
///
/// An exception from `on_record` (or `on_error`) ends the loop and propagates unchanged: only
/// the application knows whether a failed record should be retried, parked or stop the
/// consumer, and a loop that swallowed it would move on as if the record were processed.
/// Errors: that exception; KafkaException with the fatal error when the consumer reports one
/// (it is unusable: polling on would yield nothing); KafkaException _STATE when the consumer
/// is closed.
void run_poll_loop(Consumer& consumer, std::stop_token stop,
                   const std::function<void(const Record&)>& on_record,
                   const std::function<void(const Error&)>& on_error = {},
                   PollLoopOptions options = {});

}  // namespace klab::client
