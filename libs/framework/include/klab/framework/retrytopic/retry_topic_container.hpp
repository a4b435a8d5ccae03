#pragma once
// Non-blocking retries (Spring's @RetryableTopic): a record that fails is moved to a retry
// topic and its partition moves on; the retry topic hands it back to the listener once its
// back-off has passed, and after the last attempt it lands in the dead-letter topic (DLT).
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/producer.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/framework/retrytopic/retry_topic_configuration.hpp"

namespace klab::framework {

/// Runs one listener on the main topics AND their retry topics (one ConcurrentListenerContainer
/// of one group subscribed to all of them, AckMode::record).
///
/// When the listener throws on delivery n of a record: if the error is retryable and n <
/// max_attempts, the record (same key, value, headers, partition) is published to the retry
/// topic of retry n with retry_topic_headers (attempts n + 1, back-off timestamp = now +
/// delay(n)) and retry_origin_headers; otherwise to the DLT (attempts n + 1, back-off timestamp
/// = now), as Spring does. Then its offset is committed and the next record of that partition
/// is handled: later records are not blocked by a failing one.
///
/// A retry topic's record whose back-off timestamp has not come yet is not handled: the
/// listener wrapper throws KafkaBackoffException and the container pauses that partition until
/// then and seeks back to it (the poll thread never sleeps, other partitions keep flowing).
///
/// When publishing fails the source offset is NOT committed: the container delivers the
/// record again every second (calling the listener again) until publishing works. So a
/// listener sees a record at least once per attempt, maybe more.
class RetryTopicContainer {
 public:
  /// `producer` publishes to the retry topics and the DLT; it must outlive the container.
  /// `group_id` (non-empty) is the group of the main and retry topics alike.
  /// Errors: KafkaException _INVALID_ARG from configuration.validate(), or naming "group_id"
  /// (empty), "listener" (empty), "concurrency" (< 1).
  RetryTopicContainer(client::Config consumer_config, std::string group_id,
                      RetryTopicConfiguration configuration, RecordListener listener,
                      client::Producer& producer, int concurrency = 1);
  /// stop(). Errors: none.
  ~RetryTopicContainer();
  RetryTopicContainer(const RetryTopicContainer&) = delete;
  RetryTopicContainer& operator=(const RetryTopicContainer&) = delete;

  /// Spring's @DltHandler: also consume the DLTs (same group) and call `handler` for each
  /// record there; a handler that throws is logged to stderr and the record is skipped. Call
  /// before start(). Errors: _INVALID_ARG when already started.
  RetryTopicContainer& dlt_handler(RecordListener handler);

  /// With auto_create_topics, creates the missing retry topics and DLTs (create_topics()),
  /// then starts the consumer threads. No-op when running.
  /// Errors: as create_topics(); std::system_error when a thread cannot start.
  void start();
  /// Graceful stop (ConcurrentListenerContainer::stop()). Idempotent. Errors: none.
  void stop();
  /// Errors: none.
  bool running() const noexcept;

  /// Every topic the container listens to: main topics, then their retry topics (then DLTs
  /// with a dlt_handler). Errors: none.
  const std::vector<std::string>& listened_topics() const noexcept { return listened_; }

  /// Creates the retry topics and DLTs of `configuration` that do not exist yet, each with its
  /// main topic's partition count and the configured replication factor (default: the main
  /// topic's), and waits until each has a leader for every partition. Returns the topics it
  /// created. Errors: KafkaException UNKNOWN_TOPIC_OR_PART naming a main topic that does not
  /// exist; a create error other than TOPIC_ALREADY_EXISTS (e.g. INVALID_REPLICATION_FACTOR);
  /// _TIMED_OUT when the topics have no leaders within `timeout`; Admin's errors.
  static std::vector<std::string> create_topics(const client::Config& admin_config,
                                                const RetryTopicConfiguration& configuration,
                                                std::chrono::milliseconds timeout);

 private:
  enum class Kind { main, retry, dlt };
  struct Route {
    Kind kind = Kind::main;
    std::string main_topic;
    int first_delivery = 1;  // the delivery number of the topic's first retry
  };
  void on_record(const ListenerContext& context);
  void forward(const client::Record& record, const Route& route, int delivery,
               const std::exception_ptr& error);

  client::Config consumer_config_;
  std::string group_id_;
  RetryTopicConfiguration configuration_;
  RecordListener listener_;
  RecordListener dlt_handler_;
  client::Producer* producer_;
  int concurrency_;
  std::map<std::string, Route, std::less<>> routes_;
  std::vector<std::string> listened_;
  std::unique_ptr<ConcurrentListenerContainer> container_;
};

}  // namespace klab::framework
