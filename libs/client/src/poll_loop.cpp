#include "klab/client/poll_loop.hpp"

#include <utility>

#include "klab/client/log.hpp"

namespace klab::client {

void run_poll_loop(Consumer& consumer, std::stop_token stop,
                   const std::function<void(const Record&)>& on_record,
                   const std::function<void(const Error&)>& on_error, PollLoopOptions options) {
  while (!stop.stop_requested()) {
    auto record = consumer.poll(options.poll_timeout);
    if (!record) continue;
    const Error& error = record->error();
    if (!error) {
      on_record(*record);
      continue;
    }
    // Reaching the end of a partition is news, not trouble.
    if (error == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (error.fatal()) throw KafkaException(error, "poll loop");
    if (on_error)
      on_error(error);
    else
      log(LogLevel::warning, "klab::client", "poll loop: consumer error " + error.to_string());
  }
}

}  // namespace klab::client
