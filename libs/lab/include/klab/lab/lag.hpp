#pragma once
// Consumer lag, computed one way for the CLI, the console and the lessons.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"

namespace klab::lab {

/// One partition's consumer lag.
struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t committed = klab::client::offset_invalid;  ///< -1001 when nothing is committed
  std::int64_t log_start = -1;                            ///< low watermark
  std::int64_t log_end = -1;                              ///< high watermark
  std::int64_t lag = 0;                                   ///< see lag_of()
};

/// How far a group trails one partition: log end - committed (never negative); with nothing
/// committed, every record still kept (log end - log start), which is what the group reads
/// when it starts with auto.offset.reset=earliest. (Kafka's kafka-consumer-groups prints "-"
/// there.) Errors: none.
std::int64_t lag_of(std::int64_t committed, const klab::client::WatermarkOffsets& watermarks);

/// Lag of every partition the group committed or has assigned now, sorted by topic and
/// partition. Brokers without DescribeGroups (librdkafka's mock) give only the committed ones.
/// Errors: KafkaException as Admin::committed_offsets(), describe_group() and
/// watermark_offsets().
std::vector<PartitionLag> group_lag(klab::client::Admin& admin, const std::string& group,
                                    std::chrono::milliseconds timeout);

}  // namespace klab::lab
