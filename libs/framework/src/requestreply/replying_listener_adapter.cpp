#include "klab/framework/requestreply/replying_listener_adapter.hpp"

#include <utility>

#include "klab/client/error.hpp"

namespace klab::framework {

struct ReplyingListenerAdapter::State {
  State(const client::Config& config, ReplyFunction fn, std::chrono::milliseconds timeout)
      : producer(config), handler(std::move(fn)), send_timeout(timeout) {}

  client::Producer producer;
  ReplyFunction handler;
  std::chrono::milliseconds send_timeout;
  std::atomic<std::uint64_t> sent{0};
};

namespace {

[[noreturn]] void missing(const client::Record& request, std::string_view header,
                          std::string_view what) {
  throw KafkaException(Error(RD_KAFKA_RESP_ERR__BAD_MSG,
                             "request " + client::coordinates(request) + " " + std::string(what) +
                                 " header " + std::string(header) + ": nowhere to send the reply"));
}

}  // namespace

ReplyingListenerAdapter::ReplyingListenerAdapter(const client::Config& producer_config,
                                                 ReplyFunction handler,
                                                 std::chrono::milliseconds send_timeout) {
  if (!handler)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "ReplyingListenerAdapter: the handler is empty"));
  state_ = std::make_shared<State>(producer_config, std::move(handler), send_timeout);
}

std::uint64_t ReplyingListenerAdapter::replies_sent() const noexcept { return state_->sent.load(); }

RecordListener ReplyingListenerAdapter::listener() const {
  return [state = state_](const ListenerContext& ctx) {
    const auto& request = ctx.record;
    const auto& headers = request.headers();
    const auto* correlation = headers.last(correlation_id_header);
    if (!correlation || !correlation->value) missing(request, correlation_id_header, "has no");
    const auto* topic = headers.last(reply_topic_header);
    if (!topic || !topic->value || topic->value->empty())
      missing(request, reply_topic_header, "has no");
    std::optional<std::int32_t> partition;
    if (const auto* p = headers.last(reply_partition_header)) {
      partition = decode_reply_partition(p->value.value_or(""));
      if (!partition) missing(request, reply_partition_header, "has a malformed (not 4 bytes)");
    }

    auto value = state->handler(request);
    if (!value) return;  // Spring: a null return sends nothing

    client::ProducerRecord reply;
    reply.topic = *topic->value;
    reply.partition = partition;
    if (auto key = request.key()) reply.key = std::string(*key);
    reply.value = std::move(value);
    reply.headers.add(std::string(correlation_id_header), correlation->value);
    auto report = state->producer.send_sync(std::move(reply), state->send_timeout);
    if (report.error)
      throw KafkaException(report.error,
                           "reply to request " + client::coordinates(request) + " failed");
    ++state->sent;
  };
}

}  // namespace klab::framework
