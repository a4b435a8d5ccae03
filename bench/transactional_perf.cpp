// What transactions cost a producer: records/s of a plain idempotent producer against a
// transactional one committing every 100 ms and every 1 s. Each commit flushes the producer and
// waits for the coordinator to write markers, so short intervals pay more round trips.
//
//   transactional_perf [--records 1000000] [--runs 3] [--value-size 100]
//
// The cluster comes from klab::cluster's resolver: KLAB_BOOTSTRAP, else the lab's `klab up`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"

namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Options {
  long records = 1'000'000;
  int runs = 3;
  std::size_t value_size = 100;
};

struct Mode {
  std::string name;
  std::optional<std::chrono::milliseconds> commit_interval;  // nullopt: not transactional
};

struct Result {
  double records_per_s = 0;
  long transactions = 0;
  long failed = 0;
};

// Sends, waiting for room when the local queue is full.
void send(klab::client::Producer& producer, klab::client::ProducerRecord record,
          const klab::client::DeliveryCallback& callback) {
  for (;;) {
    auto error = producer.send(record, callback);
    if (!error) return;
    if (error != RD_KAFKA_RESP_ERR__QUEUE_FULL) throw klab::KafkaException(error, "send");
    (void)producer.flush(5ms);
  }
}

void check(const klab::Error& error, const char* what) {
  if (error) throw klab::KafkaException(error, what);
}

Result run_once(const klab::client::Config& base, const Mode& mode, const Options& options,
                const std::string& topic, int index) {
  auto config = base;
  config.enable_idempotence(true).linger_ms(5);
  // A small local queue (~50 ms of records) paces send() to the broker, so "commit every 100 ms"
  // covers 100 ms of produced records instead of whatever fit into librdkafka's 100k queue.
  config.set(klab::client::keys::queue_buffering_max_messages, "10000");
  if (mode.commit_interval)
    config.transactional_id("transactional-perf-" + std::to_string(::getpid()) + "-" +
                            std::to_string(index));
  klab::client::Producer producer(config);
  std::atomic<long> failed{0};
  klab::client::DeliveryCallback callback = [&](const klab::client::DeliveryReport& report) {
    if (report.error) ++failed;
  };
  if (mode.commit_interval) check(producer.init_transactions(30s), "init_transactions");
  const std::string value(options.value_size, 'x');
  Result result;
  auto start = Clock::now();
  auto txn_start = start;
  if (mode.commit_interval) check(producer.begin_transaction(), "begin_transaction");
  for (long i = 0; i < options.records; ++i) {
    send(producer, {.topic = topic, .value = value}, callback);
    if (mode.commit_interval && Clock::now() - txn_start >= *mode.commit_interval) {
      check(producer.commit_transaction(60s), "commit_transaction");
      ++result.transactions;
      check(producer.begin_transaction(), "begin_transaction");
      txn_start = Clock::now();
    }
  }
  if (mode.commit_interval) {
    check(producer.commit_transaction(60s), "commit_transaction");
    ++result.transactions;
  } else {
    check(producer.flush(60s), "flush");
  }
  std::chrono::duration<double> took = Clock::now() - start;
  result.records_per_s = static_cast<double>(options.records) / took.count();
  result.failed = failed.load();
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Produces N records with an idempotent producer, then a transactional one committing "
      "every 100 ms and every 1 s; prints the median records/s of R runs per mode. Cluster: "
      "KLAB_BOOTSTRAP, else the lab's own (klab up).",
      "transactional_perf"};
  app.add_option("--records", options.records, "records per run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--runs", options.runs, "runs per mode")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--value-size", options.value_size, "bytes per record value")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    auto target = klab::cluster::resolve_target(klab::cluster::LabPaths::discover());
    auto base = klab::cluster::client_config(target);
    klab::client::Admin admin(base);
    const int brokers = static_cast<int>(admin.describe_cluster(10s).brokers.size());
    const int rf = std::min(3, std::max(1, brokers));
    std::cerr << "cluster " << target.describe() << ", " << brokers << " brokers, topics RF " << rf
              << '\n';

    const std::vector<Mode> modes{{"idempotent, no transactions", std::nullopt},
                                  {"transactional, commit every 100 ms", 100ms},
                                  {"transactional, commit every 1 s", 1000ms}};
    std::cout << "| mode | records/s (median of " << options.runs
              << ") | MiB/s | transactions | failed |\n|---|---|---|---|---|\n";
    int index = 0;
    {  // warm-up, not counted: connections, topic creation paths, the brokers' JIT
      auto topic = "transactional-perf-" + std::to_string(::getpid()) + "-warmup";
      admin.create_topic({.name = topic, .partitions = 3, .replication_factor = rf}, 30s);
      Options warmup = options;
      warmup.records = std::max(1L, options.records / 10);
      run_once(base, modes[1], warmup, topic, index++);
      admin.delete_topic(topic, 30s);
    }
    for (const auto& mode : modes) {
      std::vector<Result> results;
      for (int run = 0; run < options.runs; ++run, ++index) {
        auto topic =
            "transactional-perf-" + std::to_string(::getpid()) + "-" + std::to_string(index);
        admin.create_topic({.name = topic, .partitions = 3, .replication_factor = rf}, 30s);
        results.push_back(run_once(base, mode, options, topic, index));
        std::cerr << mode.name << " run " << run + 1 << ": "
                  << static_cast<long>(results.back().records_per_s) << " records/s, "
                  << results.back().transactions << " transactions\n";
        try {
          admin.delete_topic(topic, 30s);
        } catch (const std::exception& e) {
          std::cerr << "delete " << topic << ": " << e.what() << '\n';
        }
      }
      std::sort(results.begin(), results.end(),
                [](const auto& a, const auto& b) { return a.records_per_s < b.records_per_s; });
      const auto& median = results[results.size() / 2];
      std::printf("| %s | %.0f | %.1f | %ld | %ld |\n", mode.name.c_str(), median.records_per_s,
                  median.records_per_s * static_cast<double>(options.value_size) / (1024 * 1024),
                  median.transactions, median.failed);
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "transactional_perf: " << e.what() << '\n';
    return 1;
  }
}
