#pragma once
// Spring's ReplyingKafkaTemplate: request-reply over two topics. A request carries a
// correlation id and where to answer; a consumer of our own, assigned to the reply partition,
// matches each reply to the request waiting for it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"
#include "klab/framework/requestreply/reply_headers.hpp"

namespace klab::framework {

/// Sends requests and completes a future per request with its reply.
///
/// The reply consumer is assign()ed (no group membership, no rebalances, nothing committed)
/// to one partition of the reply topic, starting at its end as of construction: only replies to
/// this instance's requests matter. Several instances sharing a reply topic should each use
/// their own reply partition (replies to other instances count as unknown_replies()).
///
/// Thread-safety: send_and_receive() may be called from any number of threads at once.
class ReplyingKafkaTemplate {
 public:
  /// `config`: bootstrap and any client settings, used for the producer and the reply consumer
  /// (a unique group.id is added when none is set; librdkafka needs one even for assign()).
  /// Looks up the reply partition's end offset, then starts the reply thread.
  /// Errors: KafkaException _INVALID_ARG (empty reply topic, negative partition, a Config the
  /// producer or consumer refuses), UNKNOWN_TOPIC_OR_PART / _UNKNOWN_PARTITION when the reply
  /// partition does not exist, _TIMED_OUT when no broker answers within `setup_timeout`.
  ReplyingKafkaTemplate(const client::Config& config, std::string reply_topic,
                        std::int32_t reply_partition = 0,
                        std::chrono::milliseconds setup_timeout = std::chrono::seconds(30));
  /// Stops and joins the reply thread, then fails every outstanding future with _DESTROY.
  /// Errors: none.
  ~ReplyingKafkaTemplate();
  ReplyingKafkaTemplate(const ReplyingKafkaTemplate&) = delete;
  ReplyingKafkaTemplate& operator=(const ReplyingKafkaTemplate&) = delete;

  /// Sends `request` with kafka_correlationId (a fresh UUID), kafka_replyTopic and
  /// kafka_replyPartition (replacing any the caller set). The future completes with the first
  /// reply carrying the same correlation id, or fails after `timeout`. Never throws for a
  /// failed request: the future carries the error.
  /// Errors (as KafkaException in the future): _TIMED_OUT naming the correlation id, the
  /// request topic and the wait; a send error from Producer::send (immediate, e.g.
  /// _UNKNOWN_TOPIC, or in the delivery report, e.g. _MSG_TIMED_OUT); _DESTROY when the
  /// template is destroyed first; _INVALID_ARG for an empty request topic.
  std::future<client::Record> send_and_receive(client::ProducerRecord request,
                                               std::chrono::milliseconds timeout);

  /// Replies whose request already timed out (they arrived too late). Errors: none.
  std::uint64_t late_replies() const noexcept { return late_replies_.load(); }
  /// Replies with no or an unknown correlation id (not ours, or older than this template).
  /// Errors: none.
  std::uint64_t unknown_replies() const noexcept { return unknown_replies_.load(); }
  /// Requests waiting for a reply right now. Errors: none.
  std::size_t pending() const;

  const std::string& reply_topic() const noexcept { return reply_topic_; }
  std::int32_t reply_partition() const noexcept { return reply_partition_; }

 private:
  struct Pending {
    std::promise<client::Record> promise;
    std::chrono::steady_clock::time_point deadline;
    std::string description;  // "request <id> to <topic>", for the timeout message
    std::chrono::milliseconds timeout;
  };

  void run(std::stop_token stop);
  void on_reply(client::Record reply);
  void expire(std::chrono::steady_clock::time_point now);
  void fail(const std::string& correlation_id, const Error& error);
  void remember_timed_out(const std::string& correlation_id);
  std::string next_correlation_id();

  std::string reply_topic_;
  std::int32_t reply_partition_;

  mutable std::mutex mutex_;
  std::map<std::string, Pending> pending_;
  // Ids that timed out, oldest first, so a late reply is told apart from a stranger's; bounded.
  std::unordered_set<std::string> timed_out_;
  std::deque<std::string> timed_out_order_;
  std::mt19937_64 random_;

  std::atomic<std::uint64_t> late_replies_{0};
  std::atomic<std::uint64_t> unknown_replies_{0};
  // Declared after the state their callbacks touch, so they go first: the producer's
  // destructor still runs delivery callbacks that look up pending_.
  client::Consumer consumer_;
  client::Producer producer_;
  std::jthread thread_;  // last: started once everything above exists, joined first
};

}  // namespace klab::framework
