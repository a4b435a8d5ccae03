#pragma once
// Internal to klab::framework (not installed): the partition bookkeeping and logging that
// ConcurrentListenerContainer, TransactionalListenerContainer and DefaultErrorHandler share.
#include <chrono>
#include <compare>
#include <cstdint>
#include <exception>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/log.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"
#include "klab/framework/listener/error_handler.hpp"

namespace klab::framework::detail {

/// A topic-partition as a map key.
struct PartitionKey {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const PartitionKey&) const = default;
};

inline PartitionKey key_of(const client::Record& record) {
  return {std::string(record.topic()), record.partition()};
}

inline bool same_partition(const PartitionKey& key, const client::Record& record) {
  return key.partition == record.partition() && key.topic == record.topic();
}

inline client::TopicPartition at(const PartitionKey& key,
                                 std::int64_t offset = client::offset_invalid) {
  return {key.topic, key.partition, offset, {}};
}

inline std::vector<client::TopicPartition> at_all(
    const std::map<PartitionKey, std::int64_t>& offsets) {
  std::vector<client::TopicPartition> out;
  for (const auto& [key, offset] : offsets) out.push_back(at(key, offset));
  return out;
}

/// How long a seek may wait for librdkafka to apply it.
inline constexpr std::chrono::seconds seek_timeout{5};

/// One log line (klab::client::log), prefixed with the container kind, for what a thread
/// cannot throw.
inline void log_line(std::string_view container, const std::string& what) {
  client::log(client::LogLevel::warning, "klab::framework", std::string(container) + ": " + what);
}

/// "type: message" of an exception (just the type when it has no message), for logs.
inline std::string describe(const std::exception_ptr& error) {
  auto [type, message] = exception_type_and_message(error);
  return message.empty() ? type : type + ": " + message;
}

}  // namespace klab::framework::detail
