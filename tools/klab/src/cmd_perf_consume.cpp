// perf consume: read N records as fast as the consumer allows, like Kafka's ConsumerPerformance
// (a fresh group subscribes from the earliest offset; the time to join is reported apart).
#include <fmt/core.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "perf_support.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct PerfConsumeOptions {
  std::string topic;
  long records = 100000;
  std::string group;  // "" -> a throwaway group per run
  std::int64_t timeout_ms = 30000;
  std::vector<std::string> properties;
  bool json = false;
};

struct ConsumeResult {
  std::string group;
  long records = 0;
  std::int64_t bytes = 0;  // keys + values
  double join_s = 0;       // subscribe() to the first record: coordinator, join, first fetch
  double fetch_s = 0;      // first record to the last
  std::int64_t fetch_requests = -1;
  std::int64_t rebalances = -1;
};

ConsumeResult run(const PerfConsumeOptions& o) {
  auto ctx = make_context();
  {
    klab::client::Admin admin(ctx.client_config());
    perf::await_topic_ready(admin, o.topic, false);
  }
  ConsumeResult res;
  res.group = o.group.empty() ? klab::client::throwaway_group_id("perf") : o.group;
  klab::client::ConsumerStatsCollector stats;
  auto config = ctx.client_config();
  config.group_id(res.group)
      .auto_offset_reset(klab::client::OffsetReset::earliest)
      .enable_auto_commit(false)
      .statistics_handler(stats.handler())
      .statistics_interval_ms(1000);
  perf::apply_properties(config, o.properties);
  klab::client::Consumer consumer(config);
  auto start = Clock::now();
  consumer.subscribe({o.topic});
  auto first = Clock::time_point{};
  auto last_progress = Clock::now();
  auto next_line = start + 1s;
  while (res.records < o.records) {
    auto batch = consumer.poll_batch(500, 100ms);
    auto now = Clock::now();
    for (const auto& r : batch) {
      if (r.error()) {
        if (r.error().code() == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        throw CommandError(fmt::format("consumer error after {} record(s): {}", res.records,
                                       r.error().to_string()));
      }
      if (res.records == 0) first = now;
      ++res.records;
      res.bytes +=
          static_cast<std::int64_t>(r.key().value_or("").size() + r.value().value_or("").size());
      last_progress = now;
      if (res.records == o.records) break;
    }
    if (now - last_progress > std::chrono::milliseconds(o.timeout_ms))
      throw CommandError(
          fmt::format("only {} of {} record(s) arrived; none for {} ms: does {} hold that many? "
                      "(`klab topics describe {}`)",
                      res.records, o.records, o.timeout_ms, o.topic, o.topic));
    if (now > next_line) {
      fmt::print(stderr, "  {}/{} records consumed\n", res.records, o.records);
      next_line = now + 1s;
    }
  }
  auto end = Clock::now();
  res.join_s = std::chrono::duration<double>(first - start).count();
  res.fetch_s = std::chrono::duration<double>(end - first).count();
  // A consumer's statistics are served by poll(): keep polling (records beyond N are not
  // counted) until a sample taken after the last record arrives.
  std::optional<klab::client::ConsumerStats> sample;
  for (auto deadline = end + 3s; !sample && Clock::now() < deadline;
       sample = stats.await_sample_after(end, 0ms))
    (void)consumer.poll_batch(500, 100ms);
  if (sample) {
    res.fetch_requests = sample->fetch_requests();
    if (sample->cgrp) res.rebalances = sample->cgrp->rebalance_cnt;
  }
  consumer.close();
  return res;
}

void print(const PerfConsumeOptions& o, const ConsumeResult& r) {
  double per_s = r.fetch_s > 0 ? static_cast<double>(r.records) / r.fetch_s : 0;
  double mib_s = r.fetch_s > 0 ? static_cast<double>(r.bytes) / r.fetch_s / (1024.0 * 1024.0) : 0;
  if (o.json) {
    nlohmann::json j = {
        {"tool", "klab perf consume"},
        {"topic", o.topic},
        {"group", r.group},
        {"records", r.records},
        {"bytes", r.bytes},
        {"join_s", r.join_s},
        {"fetch_s", r.fetch_s},
        {"records_per_s", per_s},
        {"mib_per_s", mib_s},
        {"fetch_requests",
         r.fetch_requests < 0 ? nlohmann::json() : nlohmann::json(r.fetch_requests)},
        {"rebalances", r.rebalances < 0 ? nlohmann::json() : nlohmann::json(r.rebalances)}};
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("Consumer benchmark: {} records from {} (group {})\n\n", r.records, o.topic, r.group);
  fmt::print("  {:<20}{:.0f} records/s   {:.2f} MiB/s (keys + values)   in {:.2f} s\n",
             "throughput", per_s, mib_s, r.fetch_s);
  fmt::print("  {:<20}{:.2f} s (coordinator, join, first fetch)\n", "until first record", r.join_s);
  if (r.fetch_requests >= 0)
    fmt::print("  {:<20}{}   ({:.0f} records per fetch)\n", "fetch requests", r.fetch_requests,
               r.fetch_requests > 0
                   ? static_cast<double>(r.records) / static_cast<double>(r.fetch_requests)
                   : 0.0);
  fmt::print(
      "\nThroughput counts from the first record to the last, as ConsumerPerformance's\n"
      "fetch.MB.sec does; the join is shown apart.\n");
}

}  // namespace

void add_perf_consume_command(CLI::App& perf) {
  static PerfConsumeOptions o;
  auto* c = perf.add_subcommand(
      "consume", "Read N records as fast as the consumer allows (like ConsumerPerformance)");
  c->add_option("--topic", o.topic, "topic to read (e.g. one `klab perf produce` filled)")
      ->required();
  c->add_option("--records,-n", o.records, "records to read")->capture_default_str();
  c->add_option("--group", o.group, "consumer group (default: a fresh throwaway group)");
  add_duration_option(*c, "--timeout", o.timeout_ms, "give up when no record arrived for this long",
                      1000)
      ->capture_default_str();
  c->add_option("-X,--consumer-property", o.properties,
                "any librdkafka consumer property as key=value, e.g. fetch.min.bytes=100000 "
                "(repeatable)");
  c->add_flag("--json", o.json, "print the result as one JSON object instead of the table");
  c->callback([] {
    if (o.records < 1)
      throw CommandError(fmt::format("--records must be at least 1, not {}", o.records), 2);
    klab::client::Config check;
    perf::apply_properties(check, o.properties);  // bad -X fails before connecting
    print(o, run(o));
  });
}

}  // namespace klab::cli
