#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <typeinfo>

#include "klab/client/error.hpp"

namespace klab::framework {

namespace {

std::string demangle(const char* name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> readable(
      abi::__cxa_demangle(name, nullptr, nullptr, &status), &std::free);
  return status == 0 && readable ? std::string(readable.get()) : std::string(name);
}

// The exception's dynamic type and message; C++ has no class hierarchy root, so anything not
// derived from std::exception is reported by the type the runtime knows, if any.
std::pair<std::string, std::string> describe(const std::exception_ptr& error) {
  try {
    if (error) std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return {demangle(typeid(e).name()), e.what()};
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return {type ? demangle(type->name()) : "unknown", ""};
  }
  return {"unknown", ""};
}

const char* timestamp_type_name(client::TimestampType type) {
  switch (type) {
    case client::TimestampType::create_time:
      return "CreateTime";
    case client::TimestampType::log_append_time:
      return "LogAppendTime";
    case client::TimestampType::none:
      break;
  }
  return "NoTimestampType";
}

}  // namespace

void DeadLetterPublishingRecoverer::operator()(const client::Record& record,
                                               const std::exception_ptr& error) const {
  client::ProducerRecord out;
  out.topic = std::string(record.topic()) + ".DLT";
  out.partition = record.partition();
  if (auto key = record.key()) out.key = std::string(*key);
  if (auto value = record.value()) out.value = std::string(*value);
  out.headers = record.headers();
  const auto ts = record.timestamp();
  if (ts.type != client::TimestampType::none) out.timestamp = ts.ms;

  auto [type, message] = describe(error);
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
    throw KafkaException(report.error, "dead-lettering " + std::string(record.topic()) + '/' +
                                           std::to_string(record.partition()) + '@' +
                                           std::to_string(record.offset()));
  }
}

}  // namespace klab::framework
