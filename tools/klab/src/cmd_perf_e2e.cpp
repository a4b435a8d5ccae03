// perf e2e: end-to-end latency like Kafka's EndToEndLatency: one record at a time is produced
// and read back by a consumer already at the end of the topic; the time from send() to the
// consumer's poll() returning it is one sample. The record is checked to be the one sent.
#include <fmt/core.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <random>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "perf_support.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct PerfE2eOptions {
  std::string topic;
  long records = 1000;
  long record_size = 100;
  std::string acks = "all";
  std::int64_t timeout_ms = 10000;
  std::vector<std::string> properties;
  bool json = false;
};

void run(const PerfE2eOptions& o) {
  auto ctx = make_context();
  std::string topic = o.topic;
  if (topic.empty()) {
    topic = perf::create_fresh_topic(ctx, 1);
  } else {
    klab::client::Admin admin(ctx.client_config());
    perf::await_topic_ready(admin, topic, false);
  }
  auto producer_config = ctx.client_config();
  producer_config.acks(o.acks).linger_ms(0);
  perf::apply_properties(producer_config, o.properties);
  klab::client::Producer producer(producer_config);

  // Assigned at the end of every partition (no group join in the measured path), as
  // EndToEndLatency does. The end is looked up now: a logical "end" would be resolved later,
  // possibly after the warm-up record, which would then never arrive.
  auto consumer_config = ctx.client_config();
  consumer_config.group_id(klab::client::throwaway_group_id("perf-e2e"))
      .enable_auto_commit(false)
      .set("fetch.wait.max.ms", "1");  // EndToEndLatency's consumer does not wait either
  perf::apply_properties(consumer_config, o.properties);
  klab::client::Consumer consumer(consumer_config);
  auto partitions = consumer.partitions_for(topic, 10s);
  std::vector<klab::client::TopicPartition> all;
  for (const auto& p : partitions) all.push_back({topic, p.id, klab::client::offset_end});
  consumer.assign(consumer.end_offsets(all, 10s));
  // One round trip before the clock: connections and the first fetch position.
  auto warm = producer.send_sync({.topic = topic, .value = "warm-up"}, 30s);
  if (warm.error) throw CommandError("warm-up record failed: " + warm.error.to_string());
  bool warmed = false;
  for (auto deadline = Clock::now() + 30s; !warmed && Clock::now() < deadline;)
    if (auto r = consumer.poll(100ms); r && !r->error()) warmed = true;
  if (!warmed)
    throw CommandError(fmt::format(
        "the warm-up record did not come back within 30 s: can this client read {}?", topic));

  std::minstd_rand rng(7);
  std::string value(static_cast<std::size_t>(o.record_size), 'a');
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(o.records));
  auto next_line = Clock::now() + 1s;
  for (long i = 0; i < o.records; ++i) {
    for (auto& c : value) c = static_cast<char>('a' + rng() % 26);
    auto sent = Clock::now();
    if (auto err = producer.send({.topic = topic, .value = value}))
      throw CommandError(fmt::format("record {} was not sent: {}", i + 1, err.to_string()));
    for (;;) {
      auto r = consumer.poll(std::chrono::milliseconds(o.timeout_ms));
      if (!r)
        throw CommandError(
            fmt::format("record {} did not come back within {} ms", i + 1, o.timeout_ms));
      if (r->error()) {
        if (r->error().code() == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        throw CommandError("consumer error: " + r->error().to_string());
      }
      if (r->value() != std::optional<std::string_view>(value))
        throw CommandError(fmt::format(
            "record {} came back different from what was sent: another producer writes to {}?",
            i + 1, topic));
      break;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    if (Clock::now() > next_line) {
      fmt::print(stderr, "  {}/{} round trips\n", i + 1, o.records);
      next_line = Clock::now() + 1s;
    }
  }
  consumer.close();
  auto l = perf::latency_of(ms);
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"tool", "klab perf e2e"},
                                      {"topic", topic},
                                      {"records", o.records},
                                      {"record_size", o.record_size},
                                      {"acks", o.acks},
                                      {"latency_ms",
                                       {{"avg", l.avg_ms},
                                        {"p50", l.p50_ms},
                                        {"p99", l.p99_ms},
                                        {"p99_9", l.p999_ms},
                                        {"max", l.max_ms}}}}
                           .dump());
    return;
  }
  fmt::print("End-to-end latency: {} records of {} bytes through {} (acks={})\n\n", o.records,
             o.record_size, topic, o.acks);
  fmt::print("  {:<20}avg {:.2f}   p50 {:.2f}   p99 {:.2f}   p99.9 {:.2f}   max {:.2f}\n",
             "latency (ms)", l.avg_ms, l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms);
  fmt::print("\nOne record in flight at a time: send() until the consumer's poll() returns it.\n");
}

}  // namespace

void add_perf_e2e_command(CLI::App& perf) {
  static PerfE2eOptions o;
  auto* c =
      perf.add_subcommand("e2e",
                          "End-to-end latency, produce to consume, one record at a time (like "
                          "EndToEndLatency)");
  c->add_option("--topic", o.topic,
                "existing topic nobody else writes to (default: a fresh 1-partition topic)");
  c->add_option("--records,-n", o.records, "round trips to time")->capture_default_str();
  c->add_option("--record-size", o.record_size, "value bytes per record")->capture_default_str();
  c->add_option("--acks", o.acks, "producer acks: 0, 1 or all")->capture_default_str();
  add_duration_option(*c, "--timeout", o.timeout_ms, "how long one record may take to come back",
                      100)
      ->capture_default_str();
  c->add_option("-X,--property", o.properties,
                "a librdkafka property for both clients as key=value (repeatable)");
  c->add_flag("--json", o.json, "print the result as one JSON object instead of the table");
  c->callback([] {
    if (o.records < 1)
      throw CommandError(fmt::format("--records must be at least 1, not {}", o.records), 2);
    if (o.record_size < 1)
      throw CommandError(fmt::format("--record-size must be at least 1, not {}", o.record_size), 2);
    if (o.acks != "0" && o.acks != "1" && o.acks != "all" && o.acks != "-1")
      throw CommandError(fmt::format("--acks must be 0, 1 or all, not '{}'", o.acks), 2);
    run(o);
  });
}

}  // namespace klab::cli
