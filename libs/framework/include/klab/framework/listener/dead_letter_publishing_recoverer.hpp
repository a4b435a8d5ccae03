#pragma once
// A Recoverer that parks a failed record on a dead-letter topic, with where it came from and
// why it failed in its headers, so someone can inspect it and replay it later.
#include <chrono>
#include <exception>
#include <string>
#include <string_view>

#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"

namespace klab::framework {

/// Header names, Spring's exactly (KafkaHeaders.DLT_*), so tools that know Spring's DLTs can
/// read ours. Values are decimal text (Spring writes the numbers as big-endian binary).
namespace dlt_headers {
inline constexpr std::string_view original_topic = "kafka_dlt-original-topic";
inline constexpr std::string_view original_partition = "kafka_dlt-original-partition";
inline constexpr std::string_view original_offset = "kafka_dlt-original-offset";
inline constexpr std::string_view original_timestamp = "kafka_dlt-original-timestamp";
/// "CreateTime" or "LogAppendTime", as Java's TimestampType prints.
inline constexpr std::string_view original_timestamp_type = "kafka_dlt-original-timestamp-type";
/// The exception's type name (Spring: the fully qualified class name).
inline constexpr std::string_view exception_class = "kafka_dlt-exception-fqcn";
inline constexpr std::string_view exception_message = "kafka_dlt-exception-message";
}  // namespace dlt_headers

/// Publishes the failed record to "<topic><dlt_suffix>" ("<topic>-dlt", spring-kafka 4's
/// default; 3.x used ".DLT"), same partition (so the DLT needs at least as many partitions as
/// the topic), same key, value and headers, plus the dlt_headers. Waits for the delivery
/// report, so a returned call means the record is in the DLT.
class DeadLetterPublishingRecoverer {
 public:
  /// `producer` must outlive this recoverer (and every copy of it).
  /// Errors: KafkaException _INVALID_ARG "dlt_suffix" when empty (the DLT would be the topic).
  explicit DeadLetterPublishingRecoverer(
      client::Producer& producer, std::chrono::milliseconds timeout = std::chrono::seconds(30),
      std::string dlt_suffix = "-dlt");

  /// Errors: KafkaException with the delivery error (e.g. _MSG_TIMED_OUT, _UNKNOWN_PARTITION
  /// when the DLT has fewer partitions, _TIMED_OUT without a report within the timeout) or with
  /// send()'s immediate error: recovery failed, the container leaves the offset uncommitted.
  void operator()(const client::Record& record, const std::exception_ptr& error) const;

 private:
  client::Producer* producer_;
  std::chrono::milliseconds timeout_;
  std::string dlt_suffix_;
};

}  // namespace klab::framework
