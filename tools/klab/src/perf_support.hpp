#pragma once
// What the perf commands share: a fresh topic that is ready before the clock starts, -X client
// properties, latency percentiles.
#include <cstddef>
#include <string>
#include <vector>

#include "context.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"

namespace klab::cli::perf {

/// "perf-<UTC timestamp>-<ms>": two runs in the same second get different topics.
std::string fresh_topic_name();

/// Waits until every partition of `topic` has a leader and returns the partition count.
/// Errors: CommandError when the topic does not exist and `created` is false (with the
/// `klab topics create` that fixes it), or when a partition still has no leader after 30 s.
std::size_t await_topic_ready(klab::client::Admin& admin, const std::string& topic, bool created);

/// Creates a fresh topic with `partitions` partitions (replication factor min(3, brokers)),
/// waits until it is led and returns its name. Prints one line to stderr.
std::string create_fresh_topic(const Context& ctx, int partitions);

/// Applies `key=value` strings (the -X option) to `config`. Errors: CommandError (exit code 2)
/// naming the string when it has no '=' or librdkafka rejects it.
void apply_properties(klab::client::Config& config, const std::vector<std::string>& properties);

struct Latency {
  bool known = false;  ///< false without a single sample
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0, avg_ms = 0;
};
/// Percentiles of `ms` (sorted in place).
Latency latency_of(std::vector<double>& ms);

}  // namespace klab::cli::perf
