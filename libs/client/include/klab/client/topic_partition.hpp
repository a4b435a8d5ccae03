#pragma once
// A partition of a topic, optionally with an offset: what assign(), commit and committed() use.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "klab/client/detail/handles.hpp"
#include "klab/client/error.hpp"

namespace klab::client {

/// Special offsets understood wherever an offset is given to librdkafka.
inline constexpr std::int64_t offset_beginning = RD_KAFKA_OFFSET_BEGINNING;  ///< -2: earliest
inline constexpr std::int64_t offset_end = RD_KAFKA_OFFSET_END;              ///< -1: log end
inline constexpr std::int64_t offset_stored = RD_KAFKA_OFFSET_STORED;        ///< -1000: committed
/// -1001: "no offset" (e.g. nothing committed yet).
inline constexpr std::int64_t offset_invalid = RD_KAFKA_OFFSET_INVALID;

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = offset_invalid;
  Error error;  ///< per-partition result of commits and offset queries

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

/// "topic/partition@offset" (and the error, if any), for logs and test failure messages.
std::ostream& operator<<(std::ostream& os, const TopicPartition& tp);

/// A librdkafka list with the same topics, partitions and offsets. Errors: none.
detail::PartitionListPtr to_native(const std::vector<TopicPartition>& partitions);
/// Copies a librdkafka list (nullptr gives an empty vector), keeping per-partition errors.
/// Errors: none.
std::vector<TopicPartition> from_native(const rd_kafka_topic_partition_list_t* list);

}  // namespace klab::client
