// perf produce: a first producer benchmark. Throughput and per-record latency measured here,
// batching and compression read from librdkafka's own statistics.
#include <fmt/chrono.h>
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <tuple>
#include <utility>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/lab/percentile.hpp"
#include "perf_support.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using klab::client::ProducerStats;

struct PerfProduceOptions {
  std::string topic;
  int partitions = 3;
  long records = 100000;
  long record_size = 100;
  long keys = 0;
  double throughput = -1;               // records/s cap; <= 0: as fast as possible
  std::vector<std::string> properties;  // -X key=value
  bool json = false;
  ProducerTuning tuning;
};

// What the delivery callbacks (on the producer's poll thread) write and the sender reads.
struct Deliveries {
  explicit Deliveries(std::size_t n) : sent_at(n), latency_ns(n, -1) {}
  // Written by the sender before send(); librdkafka's queues order it before the callback.
  std::vector<Clock::time_point> sent_at;
  // One slot per record, written once by its callback; read only after `completed` says all
  // callbacks ran (the atomic orders the writes before the read).
  std::vector<std::int64_t> latency_ns;
  std::atomic<long> completed{0};
  // The callback wakes the sender only once `completed` reaches this: waking it per report
  // while the local queue is full cost more CPU than the sends themselves.
  std::atomic<long> wake_at{std::numeric_limits<long>::max()};
  std::atomic<long> failed{0};
  std::mutex mutex;
  std::condition_variable progressed;
  std::string first_error;  // guarded by mutex
};

struct Settings {
  std::string acks, compression, linger_ms, batch_size, idempotence;
};

struct PerfResult {
  std::string topic;
  std::size_t partitions = 0;
  long records = 0;
  long record_size = 0;
  long keys = 0;
  Settings settings;
  long failed = 0;
  std::string first_error;
  double elapsed_s = 0;
  double records_per_s = 0;
  double mib_per_s = 0;
  bool latency_known = false;  // false when no record was acknowledged
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  long warm_up_records = 0;
  /// Counters of the measured run only (the sample after it minus the one before it);
  /// nullopt when no sample arrived after the run.
  std::optional<ProducerStats> stats;
  std::int64_t max_in_flight = 0;
};

// Returns the topic and whether this run created it.
std::pair<std::string, bool> create_or_check_topic(const Context& ctx, const PerfProduceOptions& o,
                                                   std::size_t& partitions) {
  klab::client::Admin admin(ctx.client_config());
  if (!o.topic.empty()) {
    partitions = perf::await_topic_ready(admin, o.topic, false);
    return {o.topic, false};
  }
  auto topic = perf::create_fresh_topic(ctx, o.partitions);
  partitions = static_cast<std::size_t>(o.partitions);
  return {topic, true};
}

// Gets the producer going before the clock starts, so the first records do not time the
// bootstrap connection and the metadata round trip. On a fresh topic it also sends one record
// to each of the first `partitions` partitions: with acks=all the first write to a new
// partition waits for its followers to start fetching (hundreds of ms).
// Errors: CommandError when a warm-up record fails.
void warm_up(klab::client::Producer& producer, const std::string& topic, std::size_t partitions) {
  try {
    producer.partitions_for(topic, 10s);
  } catch (const klab::KafkaException&) {
    // A metadata failure only costs the first records some latency.
  }
  for (std::size_t p = 0; p < partitions; ++p) {
    auto r = producer.send_sync(
        {.topic = topic, .partition = static_cast<std::int32_t>(p), .value = "warm-up"}, 30s);
    if (r.error)
      throw CommandError(fmt::format("warm-up record to {} partition {} failed: {}", topic, p,
                                     r.error.to_string()));
  }
}

// `after` with the counters the run cares about reduced by `before`'s, so warm-up and start-up
// traffic (metadata, ApiVersion) do not count.
ProducerStats since(ProducerStats after, const ProducerStats& before) {
  after.txmsgs -= before.txmsgs;
  after.txmsg_bytes -= before.txmsg_bytes;
  after.tx -= before.tx;
  after.tx_bytes -= before.tx_bytes;
  after.txretries -= before.txretries;
  for (auto& b : after.brokers)
    for (const auto& old : before.brokers)
      if (old.node_id == b.node_id) {
        b.tx -= old.tx;
        b.txretries -= old.txretries;
        b.txerrs -= old.txerrs;
        b.produce_requests -= old.produce_requests;
      }
  return after;
}

Settings settings_of(const klab::client::Config& config, const ProducerTuning& t) {
  auto eff = [&](std::string_view key) { return config.effective(key).value_or("?"); };
  return {.acks = t.acks == "-1" ? "all" : t.acks,
          .compression = eff("compression.type"),
          .linger_ms = eff("linger.ms"),
          .batch_size = eff("batch.size"),
          .idempotence = eff("enable.idempotence")};
}

PerfResult run(const PerfProduceOptions& o, const klab::client::Config& tuning) {
  auto ctx = make_context();
  PerfResult res;
  bool created = false;
  std::tie(res.topic, created) = create_or_check_topic(ctx, o, res.partitions);
  res.records = o.records;
  res.record_size = o.record_size;
  res.keys = o.keys;

  Deliveries d(static_cast<std::size_t>(o.records));
  klab::client::StatsCollector stats;
  auto config = ctx.client_config().merge(tuning);
  config.statistics_handler(stats.handler()).statistics_interval_ms(1000);
  res.settings = settings_of(config, o.tuning);
  auto report_timeout =
      std::chrono::milliseconds(std::stoll(config.effective("message.timeout.ms").value_or("0"))) +
      30s;
  // Declared after `d`: its destructor may still run callbacks that write into `d`.
  klab::client::Producer producer(config);

  res.warm_up_records = created ? static_cast<long>(res.partitions) : 0;
  warm_up(producer, res.topic, static_cast<std::size_t>(res.warm_up_records));
  // The counters at the start line; without a sample, the run's numbers include the warm-up.
  auto baseline = stats.await_sample_after(Clock::now(), 3s).value_or(ProducerStats{});

  // Random letters: compressible like text, unlike the all-equal bytes that flatter codecs.
  std::minstd_rand rng(42);
  // One record, refilled in place: send() copies what it needs (RD_KAFKA_MSG_F_COPY).
  klab::client::ProducerRecord record{
      .topic = res.topic, .value = std::string(static_cast<std::size_t>(o.record_size), 'A')};
  auto& value = *record.value;
  auto start = Clock::now();
  auto next_progress = start + 1s;
  long sent = 0;
  std::string last_line;
  auto progress = [&](bool force = false) {
    auto now = Clock::now();
    if (now < next_progress && !force) return;
    next_progress = now + 1s;
    auto line = fmt::format("  {}/{} records sent, {} acknowledged\n", sent, o.records,
                            d.completed.load() - d.failed.load());
    if (line != last_line) fmt::print(stderr, "{}", line);  // the final call may repeat the last
    last_line = std::move(line);
  };

  // --throughput: record i is not sent before start + i / rate (ProducerPerformance's throttle).
  const bool paced = o.throughput > 0;
  const auto per_record = std::chrono::duration<double>(paced ? 1.0 / o.throughput : 0.0);
  for (long i = 0; i < o.records; ++i) {
    if (paced) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(per_record * i);
      if (Clock::now() < due) std::this_thread::sleep_until(due);
    }
    for (auto& c : value) c = static_cast<char>('A' + rng() % 26);
    if (o.keys > 0) record.key = fmt::format("key-{}", i % o.keys);
    // Two words of captures: std::function keeps them inline instead of on the heap.
    auto callback = [&d, i](const klab::client::DeliveryReport& r) {
      if (r.error) {
        ++d.failed;
        std::lock_guard lock(d.mutex);
        if (d.first_error.empty()) d.first_error = r.error.to_string();
      } else {
        auto slot = static_cast<std::size_t>(i);
        d.latency_ns[slot] =
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - d.sent_at[slot])
                .count();
      }
      if (d.completed.fetch_add(1, std::memory_order_release) + 1 >= d.wake_at.load())
        d.progressed.notify_all();
    };
    for (;;) {
      long before = d.completed.load();
      d.sent_at[static_cast<std::size_t>(i)] = Clock::now();
      auto err = producer.send(record, callback);
      if (!err) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        throw CommandError(fmt::format("record {} was not sent: {}", i + 1, err.to_string()));
      // The queue drains as reports arrive: wait until up to 1000 (at most half of what is
      // outstanding) came back, then retry this same record; waking per report cost more CPU
      // than the sends. The timeout covers a notify that slipped in before the wait.
      std::unique_lock lock(d.mutex);
      d.wake_at = before + std::clamp((sent - before) / 2, 1L, 1000L);
      d.progressed.wait_for(lock, 5ms, [&] { return d.completed.load() >= d.wake_at.load(); });
      d.wake_at = std::numeric_limits<long>::max();
      lock.unlock();
      progress();
    }
    ++sent;
    if ((i & 1023) == 0) progress();
  }

  auto deadline = Clock::now() + report_timeout;
  while (d.completed.load(std::memory_order_acquire) < o.records) {
    if (Clock::now() > deadline)
      throw CommandError(
          fmt::format("{} of {} record(s) still had no delivery report {} s after the last send",
                      o.records - d.completed.load(), o.records,
                      std::chrono::duration_cast<std::chrono::seconds>(report_timeout).count()));
    std::unique_lock lock(d.mutex);
    d.wake_at = o.records;
    d.progressed.wait_for(lock, 200ms, [&] { return d.completed.load() >= o.records; });
    lock.unlock();
    progress();
  }
  auto end = Clock::now();
  if (end - start > 1s) progress(true);

  res.failed = d.failed.load();
  {
    std::lock_guard lock(d.mutex);
    res.first_error = d.first_error;
  }
  res.elapsed_s = std::chrono::duration<double>(end - start).count();
  res.records_per_s = static_cast<double>(o.records) / res.elapsed_s;
  res.mib_per_s = static_cast<double>(o.records) * static_cast<double>(o.record_size) /
                  res.elapsed_s / (1024.0 * 1024.0);
  std::vector<double> ok_ms;
  ok_ms.reserve(d.latency_ns.size());
  for (auto ns : d.latency_ns)
    if (ns >= 0) ok_ms.push_back(static_cast<double>(ns) / 1e6);
  std::sort(ok_ms.begin(), ok_ms.end());
  res.latency_known = !ok_ms.empty();
  res.p50_ms = klab::lab::percentile_of_sorted(ok_ms, 0.50);
  res.p99_ms = klab::lab::percentile_of_sorted(ok_ms, 0.99);
  res.p999_ms = klab::lab::percentile_of_sorted(ok_ms, 0.999);
  res.max_ms = ok_ms.empty() ? 0 : ok_ms.back();

  // A sample emitted just before the last report may lag behind it: then take the next one.
  long acknowledged = o.records - res.failed;
  auto last = stats.await_sample_after(end, 3s);
  if (last && last->txmsgs - baseline.txmsgs < acknowledged)
    last = stats.await_sample_after(Clock::now(), 3s);
  if (!last) last = stats.latest();
  if (last) res.stats = since(*last, baseline);
  res.max_in_flight = stats.max_in_flight();
  return res;
}

double rounded(double v) { return std::round(v * 1000.0) / 1000.0; }

std::int64_t number_or(const std::string& s, std::int64_t fallback) {
  try {
    return std::stoll(s);
  } catch (const std::exception&) {
    return fallback;
  }
}

void print_json(const PerfResult& r) {
  nlohmann::json j = {
      {"tool", "klab perf produce"},
      {"topic", r.topic},
      {"partitions", r.partitions},
      {"records", r.records},
      {"record_size", r.record_size},
      {"keys", r.keys},
      {"acks", r.settings.acks},
      {"compression", r.settings.compression},
      {"linger_ms", number_or(r.settings.linger_ms, -1)},
      {"batch_size", number_or(r.settings.batch_size, -1)},
      {"idempotent", r.settings.idempotence == "true"},
      {"failed", r.failed},
      {"first_error", r.first_error.empty() ? nlohmann::json() : nlohmann::json(r.first_error)},
      {"elapsed_s", rounded(r.elapsed_s)},
      {"records_per_s", rounded(r.records_per_s)},
      {"mib_per_s", rounded(r.mib_per_s)},
      {"latency_ms", r.latency_known ? nlohmann::json{{"p50", rounded(r.p50_ms)},
                                                      {"p99", rounded(r.p99_ms)},
                                                      {"p99_9", rounded(r.p999_ms)},
                                                      {"max", rounded(r.max_ms)}}
                                     : nlohmann::json()},
      {"max_in_flight", r.max_in_flight},
      {"warm_up_records", r.warm_up_records},
  };
  if (r.stats) {
    j["produce_requests"] = r.stats->produce_requests();
    j["records_per_request"] = rounded(r.stats->avg_records_per_request());
    j["compression_ratio"] = rounded(r.stats->compression_ratio());
  } else {
    j["produce_requests"] = j["records_per_request"] = j["compression_ratio"] = nullptr;
  }
  fmt::print("{}\n", j.dump());
}

void print_table(const PerfResult& r) {
  fmt::print("Producer benchmark: {} records of {} bytes to {} ({} partitions)\n", r.records,
             r.record_size, r.topic, r.partitions);
  fmt::print(
      "  acks={} compression.type={} linger.ms={} batch.size={} enable.idempotence={} {}\n\n",
      r.settings.acks, r.settings.compression, r.settings.linger_ms, r.settings.batch_size,
      r.settings.idempotence, r.keys > 0 ? fmt::format("keys={}", r.keys) : "keyless");
  fmt::print("  {:<20}{:.0f} records/s   {:.2f} MiB/s (values only)   in {:.2f} s\n", "throughput",
             r.records_per_s, r.mib_per_s, r.elapsed_s);
  if (r.latency_known)
    fmt::print("  {:<20}p50 {:.2f}   p99 {:.2f}   p99.9 {:.2f}   max {:.2f}\n", "latency (ms)",
               r.p50_ms, r.p99_ms, r.p999_ms, r.max_ms);
  else
    fmt::print("  {:<20}n/a (no record was acknowledged)\n", "latency (ms)");
  fmt::print("  {:<20}{}\n", "records failed", r.failed);
  if (r.stats) {
    fmt::print("  {:<20}{}   ({:.1f} records per request)\n", "produce requests",
               r.stats->produce_requests(), r.stats->avg_records_per_request());
    fmt::print("  {:<20}{:.2f}   (record bytes / bytes on the wire)\n", "compression ratio",
               r.stats->compression_ratio());
    fmt::print("  {:<20}{} request(s) awaiting a response, at most (sampled each second)\n",
               "in flight", r.max_in_flight);
  } else {
    fmt::print("  (no statistics sample arrived: produce requests and compression unknown)\n");
  }
  fmt::print("\nLatency: send() to the delivery report of each acknowledged record.\n");
  if (r.warm_up_records > 0)
    fmt::print("Before the clock started: 1 warm-up record per partition (not counted).\n");
}

// CLI11's own range checks print the double range; these say what is allowed.
void check_counts(const PerfProduceOptions& o) {
  auto at_least = [](std::string_view flag, long value, long min) {
    if (value < min)
      throw CommandError(fmt::format("{} must be at least {}, not {}", flag, min, value), 2);
  };
  at_least("--partitions", o.partitions, 1);
  at_least("--records", o.records, 1);
  at_least("--record-size", o.record_size, 0);
  at_least("--keys", o.keys, 0);
}

void cmd_perf_produce(const PerfProduceOptions& o) {
  check_counts(o);
  auto tuning = producer_tuning_config(o.tuning);  // bad flags fail before connecting
  perf::apply_properties(tuning, o.properties);
  auto r = run(o, tuning);
  if (o.json)
    print_json(r);
  else
    print_table(r);
  if (r.failed > 0)
    throw CommandError(fmt::format("{} of {} record(s) failed; first error: {}", r.failed,
                                   r.records, r.first_error));
}

}  // namespace

void add_perf_commands(CLI::App& app) {
  static PerfProduceOptions o;
  auto* perf = app.add_subcommand("perf", "Benchmarks: measure what settings do");
  perf->require_subcommand(1);
  auto* c = perf->add_subcommand(
      "produce",
      "Send N records as fast as the producer allows; report throughput, latency "
      "percentiles and batching");
  c->add_option("--topic", o.topic,
                "existing topic to write to (default: a fresh perf-<timestamp> topic)");
  c->add_option("--partitions", o.partitions, "partitions of the fresh topic")
      ->capture_default_str();
  c->add_option("--records,-n", o.records, "records to send")->capture_default_str();
  c->add_option("--record-size", o.record_size, "value bytes per record (random letters A-Z)")
      ->capture_default_str();
  c->add_option("--keys", o.keys, "0: keyless; K: cycle through K keys (key-0 ... key-K-1)")
      ->capture_default_str();
  c->add_option("--throughput", o.throughput,
                "cap in records/s (like ProducerPerformance --throughput); -1: no cap")
      ->capture_default_str();
  c->add_option("-X,--producer-property", o.properties,
                "any librdkafka producer property as key=value, applied last (repeatable)");
  c->add_flag("--json", o.json, "print the result as one JSON object instead of the table");
  add_producer_tuning_options(*c, o.tuning);
  c->callback([] { cmd_perf_produce(o); });
  add_perf_consume_command(*perf);
  add_perf_e2e_command(*perf);
}

}  // namespace klab::cli
