#pragma once
// The consumer protocol's member assignment bytes (what the group leader hands each member in
// SyncGroup, and what DescribeGroups returns), decoded.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "klab/client/topic_partition.hpp"

namespace klab::client {

struct ConsumerAssignment {
  std::int16_t version = 0;
  std::vector<TopicPartition> partitions;  ///< offsets are offset_invalid
  std::string user_data;                   ///< assignor-specific bytes (often empty)
};

/// Decodes: int16 version, int32 topic count, per topic { int16 length + name, int32 partition
/// count, int32 partitions... }, then int32 length + user data bytes (-1 = null; a missing
/// trailer is accepted as empty). Empty input gives an empty assignment.
/// Errors: KafkaException _BAD_MSG naming the byte offset where the data is truncated or a
/// length is negative.
ConsumerAssignment parse_consumer_assignment(std::span<const std::uint8_t> bytes);

}  // namespace klab::client
