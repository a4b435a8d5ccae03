#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"

#include <string>
#include <utility>

#include "klab/client/error.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "listener/timestamp_type_name.hpp"

namespace klab::framework {

using detail::timestamp_type_name;

DeadLetterPublishingRecoverer::DeadLetterPublishingRecoverer(client::Producer& producer,
                                                             std::chrono::milliseconds timeout,
                                                             std::string dlt_suffix)
    : producer_(&producer), timeout_(timeout), dlt_suffix_(std::move(dlt_suffix)) {
  if (dlt_suffix_.empty())
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "DeadLetterPublishingRecoverer.dlt_suffix: empty (the DLT would be "
                               "the failing record's own topic)"));
}

void DeadLetterPublishingRecoverer::operator()(const client::Record& record,
                                               const std::exception_ptr& error) const {
  client::ProducerRecord out;
  out.topic = std::string(record.topic()) + dlt_suffix_;
  out.partition = record.partition();
  if (auto key = record.key()) out.key = std::string(*key);
  if (auto value = record.value()) out.value = std::string(*value);
  out.headers = record.headers();
  const auto ts = record.timestamp();
  if (ts.type != client::TimestampType::none) out.timestamp = ts.ms;

  auto [type, message] = exception_type_and_message(error);
  // Earlier dead-letter headers (a record that was dead-lettered before) give way to ours.
  for (auto name :
       {dlt_headers::original_topic, dlt_headers::original_partition, dlt_headers::original_offset,
        dlt_headers::original_timestamp, dlt_headers::original_timestamp_type,
        dlt_headers::exception_class, dlt_headers::exception_message}) {
    out.headers.remove(name);
  }
  out.headers.add(std::string(dlt_headers::original_topic), std::string(record.topic()));
  out.headers.add(std::string(dlt_headers::original_partition), std::to_string(record.partition()));
  out.headers.add(std::string(dlt_headers::original_offset), std::to_string(record.offset()));
  out.headers.add(std::string(dlt_headers::original_timestamp), std::to_string(ts.ms));
  out.headers.add(std::string(dlt_headers::original_timestamp_type), timestamp_type_name(ts.type));
  out.headers.add(std::string(dlt_headers::exception_class), std::move(type));
  out.headers.add(std::string(dlt_headers::exception_message), std::move(message));

  auto report = producer_->send_sync(std::move(out), timeout_);
  if (report.error) {
    throw KafkaException(report.error, "dead-lettering " + client::coordinates(record));
  }
}

}  // namespace klab::framework
