#pragma once
// Helpers lessons share: write records and wait, read until a count or a deadline.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"

namespace klab::testing {

/// Sends each value synchronously (acks=all) and returns the delivery reports in order.
/// Fails the current test (ADD_FAILURE) for any record that is not persisted.
std::vector<klab::client::DeliveryReport> produce_values(
    const klab::client::Config& config, const std::string& topic,
    const std::vector<std::string>& values, std::optional<int> partition = std::nullopt,
    std::optional<std::string> key = std::nullopt);

/// Polls until `count` records arrived or `timeout` (scaled) passed; error events are skipped
/// and reported through ADD_FAILURE. Returns what arrived, so callers assert on its size.
std::vector<klab::client::Record> consume_n(klab::client::Consumer& consumer, std::size_t count,
                                            std::chrono::milliseconds timeout);

/// Spring's KafkaTestUtils.getRecords: reads every partition of `topic` from the beginning with
/// an assign()ed consumer (no group membership, nothing committed; connection, isolation.level
/// and other settings from `config`, a throwaway group.id when it has none) until `done` returns
/// true for the records read so far (checked after each record) or `timeout` (scaled by
/// KLAB_TIMEOUT_MULTIPLIER) passes. Returns the records in arrival order (per partition in
/// offset order), so callers assert on them. Consumer error events are skipped (_PARTITION_EOF
/// silently, others through ADD_FAILURE).
/// Errors: KafkaException UNKNOWN_TOPIC_OR_PART (or the topic's metadata error) when `topic`
/// cannot be described within the timeout; _INVALID_ARG when librdkafka refuses `config`.
std::vector<klab::client::Record> consume_until(
    const klab::client::Config& config, const std::string& topic,
    const std::function<bool(const std::vector<klab::client::Record>&)>& done,
    std::chrono::milliseconds timeout);

/// consume_until() until `count` records arrived (then returns exactly the first `count`).
/// Errors: as the predicate form.
std::vector<klab::client::Record> consume_until(const klab::client::Config& config,
                                                const std::string& topic, std::size_t count,
                                                std::chrono::milliseconds timeout);

/// A Config for a consumer of `group` that starts from the earliest offset.
klab::client::Config consumer_config(klab::client::Config base, const std::string& group);

/// The offset `group` committed for `topic`/`partition` on the test cluster (the next offset
/// it reads), asked through the Admin API so the group gains no member: offset_invalid (-1001)
/// when the group committed nothing there, -1 when the answer leaves the partition out.
/// Retriable errors (a coordinator loading or moving) are asked again for up to 30 s scaled, then
/// -1. Errors: KafkaException GROUP_ID_NOT_FOUND, GROUP_AUTHORIZATION_FAILED.
std::int64_t committed_offset(const std::string& group, const std::string& topic,
                              std::int32_t partition = 0);

/// The high watermark (offset of the next record written) of `topic`/`partition` on the test
/// cluster. Errors: KafkaException as Admin::watermark_offsets (UNKNOWN_TOPIC_OR_PART,
/// _TIMED_OUT after 10 s scaled).
std::int64_t end_offset(const std::string& topic, std::int32_t partition = 0);

/// The record's value as text, "" for a null value (a tombstone). Errors: none.
std::string value_of(const klab::client::Record& record);

/// The values "from", "from+1", ..., "to-1" (decimal); empty when to <= from. Errors: none.
std::vector<std::string> numbered_values(int from, int to);

}  // namespace klab::testing
