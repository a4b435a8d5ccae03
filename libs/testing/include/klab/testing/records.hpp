#pragma once
// Helpers lessons share: write records and wait, read until a count or a deadline.
#include <chrono>
#include <functional>
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

/// A Config for a consumer of `group` that starts from the earliest offset.
klab::client::Config consumer_config(klab::client::Config base, const std::string& group);

}  // namespace klab::testing
