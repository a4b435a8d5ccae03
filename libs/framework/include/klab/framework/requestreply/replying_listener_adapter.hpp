#pragma once
// The server side of request-reply, Spring's @KafkaListener + @SendTo: turns a function from a
// request to an optional answer into a RecordListener that sends the answer where the request
// asked, with the request's correlation id.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/framework/requestreply/reply_headers.hpp"

namespace klab::framework {

/// Computes the reply value for one request; nullopt sends no reply (Spring's null return).
/// Throwing fails the record like any listener (the container's error handler takes over).
using ReplyFunction = std::function<std::optional<std::string>(const client::Record&)>;

class ReplyingListenerAdapter {
 public:
  /// `producer_config`: where replies are sent from (bootstrap and producer settings).
  /// Errors: KafkaException as Producer's constructor; _INVALID_ARG for an empty handler.
  ReplyingListenerAdapter(const client::Config& producer_config, ReplyFunction handler,
                          std::chrono::milliseconds send_timeout = std::chrono::seconds(10));

  /// A listener for ConcurrentListenerContainer. It shares this adapter's producer, so it stays
  /// usable after the adapter is gone. Per request it:
  /// - throws KafkaException _BAD_MSG naming the missing header when kafka_correlationId or
  ///   kafka_replyTopic is absent or null, or kafka_replyPartition is not 4 bytes (checked
  ///   before the handler runs, so nothing is computed for a request nobody can get back);
  /// - runs the handler (its exceptions propagate);
  /// - sends the reply to kafka_replyTopic / kafka_replyPartition (the partitioner picks one
  ///   when that header is absent) with the request's key and correlation id, waiting for the
  ///   report, so the request is only committed once its reply is in the log; a failed send
  ///   throws KafkaException with the delivery error (e.g. _MSG_TIMED_OUT, _UNKNOWN_TOPIC).
  /// Errors: none when called.
  RecordListener listener() const;

  /// Replies sent successfully so far. Errors: none.
  std::uint64_t replies_sent() const noexcept;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace klab::framework
