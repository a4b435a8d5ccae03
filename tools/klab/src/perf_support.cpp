#include "perf_support.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>

#include "klab/lab/percentile.hpp"

namespace klab::cli::perf {
using namespace std::chrono_literals;

std::string fresh_topic_name() {
  auto now = std::chrono::system_clock::now();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("perf-{:%Y%m%d-%H%M%S}-{:03}",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

std::size_t await_topic_ready(klab::client::Admin& admin, const std::string& topic, bool created) {
  auto deadline = std::chrono::steady_clock::now() + 30s;
  for (;;) {
    auto t = admin.describe_topics({topic}, 10s).at(0);
    bool led = !t.partitions.empty() && std::all_of(t.partitions.begin(), t.partitions.end(),
                                                    [](const auto& p) { return p.leader >= 0; });
    if (!t.error && led) return t.partitions.size();
    if (t.error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && !created)
      throw CommandError(
          fmt::format("topic {} does not exist: create it with `klab topics create "
                      "{}`, or leave out --topic to get a fresh one",
                      topic, topic));
    if (std::chrono::steady_clock::now() > deadline)
      throw CommandError(fmt::format(
          "topic {} still lacks a leader for some partition after 30 s ({}): check `klab status`",
          topic, t.error ? t.error.to_string() : "leader -1"));
    std::this_thread::sleep_for(200ms);  // metadata catches up in a few hundred ms
  }
}

std::string create_fresh_topic(const Context& ctx, int partitions) {
  klab::client::Admin admin(ctx.client_config());
  auto brokers = admin.describe_cluster(10s).brokers.size();
  int rf = static_cast<int>(std::min<std::size_t>(3, std::max<std::size_t>(brokers, 1)));
  auto topic = fresh_topic_name();
  admin.create_topic({.name = topic, .partitions = partitions, .replication_factor = rf}, 30s);
  fmt::print(stderr, "Created topic {} ({} partitions, replication factor {}).\n", topic,
             partitions, rf);
  await_topic_ready(admin, topic, true);
  return topic;
}

void apply_properties(klab::client::Config& config, const std::vector<std::string>& properties) {
  for (const auto& p : properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CommandError(fmt::format("-X wants key=value (a librdkafka property), not '{}'", p), 2);
    try {
      config.set(p.substr(0, eq), p.substr(eq + 1));
    } catch (const klab::KafkaException& e) {
      throw CommandError(fmt::format("-X {}: {}", p, e.what()), 2);
    }
  }
}

Latency latency_of(std::vector<double>& ms) {
  Latency l;
  if (ms.empty()) return l;
  std::sort(ms.begin(), ms.end());
  l.known = true;
  l.p50_ms = klab::lab::percentile_of_sorted(ms, 0.50);
  l.p99_ms = klab::lab::percentile_of_sorted(ms, 0.99);
  l.p999_ms = klab::lab::percentile_of_sorted(ms, 0.999);
  l.max_ms = ms.back();
  l.avg_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  return l;
}

}  // namespace klab::cli::perf
