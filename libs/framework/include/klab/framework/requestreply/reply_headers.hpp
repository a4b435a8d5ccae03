#pragma once
// The headers that tie a reply to its request, spelled as Spring's KafkaHeaders so a klab
// client and a Spring @SendTo listener (or the other way round) can talk to each other.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace klab::framework {

/// Spring's KafkaHeaders.CORRELATION_ID: opaque bytes the replier copies back unchanged.
inline constexpr std::string_view correlation_id_header = "kafka_correlationId";
/// Spring's KafkaHeaders.REPLY_TOPIC: where the replier sends its answer.
inline constexpr std::string_view reply_topic_header = "kafka_replyTopic";
/// Spring's KafkaHeaders.REPLY_PARTITION: 4-byte big-endian int, the partition to answer to.
inline constexpr std::string_view reply_partition_header = "kafka_replyPartition";

/// `partition` as the 4 big-endian bytes Spring writes. Errors: none.
std::string encode_reply_partition(std::int32_t partition);
/// The partition in a kafka_replyPartition value, or nullopt when it is not 4 bytes.
/// Errors: none.
std::optional<std::int32_t> decode_reply_partition(std::string_view bytes);

}  // namespace klab::framework
