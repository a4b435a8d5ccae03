#pragma once
// Spring's RetryTopicConfiguration (@RetryableTopic): how many deliveries a failing record
// gets, how long each retry waits, which errors are worth retrying, and the names of the
// retry topics and the dead-letter topic (DLT) that carry it between attempts.
#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/framework/listener/back_off.hpp"
#include "klab/framework/listener/error_handler.hpp"

namespace klab::framework {

/// Header names on records in retry topics and the DLT, Spring's exactly (RetryTopicHeaders).
/// Values are decimal text (Spring writes them as big-endian binary).
namespace retry_topic_headers {
/// The delivery number this record gets next: 2 in the first retry topic; in the DLT, the
/// failed deliveries + 1 (as Spring counts).
inline constexpr std::string_view attempts = "retry_topic-attempts";
/// Not before this time (ms since epoch) may a retry topic's record be handled: the failure's
/// time + the retry's delay (+ 0 on the DLT).
inline constexpr std::string_view backoff_timestamp = "retry_topic-backoff-timestamp";
/// The main topic's record timestamp (ms since epoch).
inline constexpr std::string_view original_timestamp = "retry_topic-original-timestamp";
}  // namespace retry_topic_headers

/// Where a record in a retry topic or its DLT came from (the main topic's record, kept across
/// hops) and why it failed last: Spring's names for the retry-topic flow (KafkaHeaders.ORIGINAL_*
/// and EXCEPTION_*), not the kafka_dlt-* names of a DeadLetterPublishingRecoverer. Decimal text.
namespace retry_origin_headers {
inline constexpr std::string_view topic = "kafka_original-topic";
inline constexpr std::string_view partition = "kafka_original-partition";
inline constexpr std::string_view offset = "kafka_original-offset";
inline constexpr std::string_view timestamp = "kafka_original-timestamp";
/// "CreateTime" or "LogAppendTime".
inline constexpr std::string_view timestamp_type = "kafka_original-timestamp-type";
/// The exception's type name (Spring: the fully qualified class name).
inline constexpr std::string_view exception_class = "kafka_exception-fqcn";
inline constexpr std::string_view exception_message = "kafka_exception-message";
}  // namespace retry_origin_headers

/// How retry topics are named (Spring's TopicSuffixingStrategy).
enum class TopicSuffixing {
  /// "<topic>-retry-0", "<topic>-retry-1", ...: by the retry's index.
  index,
  /// "<topic>-retry-1000", "<topic>-retry-2000", ...: by the delay in ms (@RetryableTopic's
  /// default). Equal delays are indexed instead, unless they share one topic.
  delay,
};

/// Whether retries with the same delay share a topic (Spring's SameIntervalTopicReuseStrategy).
enum class SameIntervalTopicReuse {
  /// Spring's default since 3.0: a fixed back-off (or max_attempts 2) uses ONE topic,
  /// "<topic>-retry"; the retries of an exponential back-off that sit at its max_interval share
  /// the last retry topic. The attempts header tells the deliveries apart.
  single_topic,
  /// One topic per retry even when delays repeat ("-retry-0", "-retry-1" for a fixed back-off;
  /// "-retry-1000-0", "-retry-1000-1" with delay suffixing), as spring-kafka 2.x did.
  multiple_topics,
};

/// Which topics get retry topics and how; a value, configured by chained setters:
///
///   RetryTopicConfiguration({"orders"})
///       .max_attempts(4)
///       .back_off(ExponentialBackOff{.initial = 1s, .multiplier = 2})
///       .not_retry_on<std::invalid_argument>();
///
/// A setter given a bad value throws KafkaException _INVALID_ARG naming the setting; validate()
/// checks the settings together.
class RetryTopicConfiguration {
 public:
  /// No topics yet (validate() fails until topics() is set).
  RetryTopicConfiguration() = default;
  /// The main topics this configuration applies to. Errors: as topics().
  explicit RetryTopicConfiguration(std::vector<std::string> topics);

  /// The main topics. Errors: _INVALID_ARG "topics" when empty, a name is empty or repeated.
  RetryTopicConfiguration& topics(std::vector<std::string> topics);
  /// Deliveries in all, the first one included (default 3: main topic + 2 retry topics); 1
  /// means no retry topics, a failure goes straight to the DLT.
  /// Errors: _INVALID_ARG "max_attempts" when below 1.
  RetryTopicConfiguration& max_attempts(int attempts);
  /// The waits: retry n (1 = the first retry) waits back_off.next_delay(n). Default
  /// FixedBackOff{1000ms} (Spring's default). Errors: none here; validate() checks that the
  /// back-off lasts for max_attempts - 1 retries.
  RetryTopicConfiguration& back_off(BackOff back_off);
  /// Default TopicSuffixing::delay. Errors: none.
  RetryTopicConfiguration& topic_suffixing(TopicSuffixing suffixing);
  /// Default SameIntervalTopicReuse::single_topic. Errors: none.
  RetryTopicConfiguration& same_interval_topic_reuse(SameIntervalTopicReuse reuse);
  /// Default "-retry". Errors: _INVALID_ARG "retry_topic_suffix" when empty.
  RetryTopicConfiguration& retry_topic_suffix(std::string suffix);
  /// Default "-dlt". Errors: _INVALID_ARG "dlt_suffix" when empty.
  RetryTopicConfiguration& dlt_suffix(std::string suffix);
  /// Only errors matching one of these classifiers are retried (the rest go straight to the
  /// DLT). Without any, every error is retried unless not_retry_on says no. Errors: none.
  RetryTopicConfiguration& retry_on(ErrorClassifier classifier);
  /// Errors matching one of these go straight to the DLT (checked before retry_on).
  /// Errors: none.
  RetryTopicConfiguration& not_retry_on(ErrorClassifier classifier);
  /// retry_on() for exceptions of type E or derived from it. Errors: none.
  template <typename E>
  RetryTopicConfiguration& retry_on() {
    return retry_on(exception_of_type<E>());
  }
  /// not_retry_on() for exceptions of type E or derived from it. Errors: none.
  template <typename E>
  RetryTopicConfiguration& not_retry_on() {
    return not_retry_on(exception_of_type<E>());
  }
  /// Whether RetryTopicContainer::start() creates missing retry topics and the DLT (default
  /// true), with the main topic's partition count. Errors: none.
  RetryTopicConfiguration& auto_create_topics(bool create);
  /// Replication factor of created topics; default: the main topic's.
  /// Errors: _INVALID_ARG "replication_factor" when below 1.
  RetryTopicConfiguration& replication_factor(int factor);

  const std::vector<std::string>& topics() const noexcept { return topics_; }
  int max_attempts() const noexcept { return max_attempts_; }
  TopicSuffixing topic_suffixing() const noexcept { return suffixing_; }
  SameIntervalTopicReuse same_interval_topic_reuse() const noexcept { return reuse_; }
  bool auto_create_topics() const noexcept { return auto_create_; }
  std::optional<int> replication_factor() const noexcept { return replication_factor_; }

  /// Checks the settings together. Errors: _INVALID_ARG naming the setting: "topics" (none),
  /// "back_off" (gives up before max_attempts - 1 retries, or a negative delay), "dlt_suffix"
  /// (the DLT's name is also a retry topic's or a main topic's), "retry_topic_suffix" (a
  /// retry topic's name is a main topic's).
  void validate() const;

  /// Whether `topic` is one of the main topics. Errors: none.
  bool applies_to(std::string_view topic) const;
  /// The wait before retry `retry` (1-based, up to max_attempts - 1).
  /// Errors: _INVALID_ARG "retry" when out of range, "back_off" when it gives no delay.
  std::chrono::milliseconds delay(int retry) const;
  /// The topic that carries retry `retry` (1-based) of `topic`'s records, named as Spring names
  /// it for the same settings (see TopicSuffixing, SameIntervalTopicReuse). Errors: as delay(),
  /// for `retry` and for every retry (the name depends on all the delays).
  std::string retry_topic(std::string_view topic, int retry) const;
  /// The distinct retry topics of `topic`, in retry order (max_attempts - 1 of them, fewer when
  /// same-interval retries share one). Errors: as validate().
  std::vector<std::string> retry_topics(std::string_view topic) const;
  /// "<topic><dlt_suffix>". Errors: none.
  std::string dlt_topic(std::string_view topic) const;
  /// Whether a failure with `error` goes to a retry topic (true) or straight to the DLT.
  /// Errors: whatever a classifier throws.
  bool retryable(const std::exception_ptr& error) const;

 private:
  std::vector<std::string> topics_;
  int max_attempts_ = 3;
  BackOff back_off_ = FixedBackOff{std::chrono::milliseconds(1000), 1'000'000};
  TopicSuffixing suffixing_ = TopicSuffixing::delay;
  SameIntervalTopicReuse reuse_ = SameIntervalTopicReuse::single_topic;
  std::string retry_suffix_ = "-retry";
  std::string dlt_suffix_ = "-dlt";
  std::vector<ErrorClassifier> retry_on_;
  std::vector<ErrorClassifier> not_retry_on_;
  bool auto_create_ = true;
  std::optional<int> replication_factor_;
};

}  // namespace klab::framework
