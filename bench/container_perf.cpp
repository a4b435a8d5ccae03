// container_perf: what ConcurrentListenerContainer costs over a hand-written poll loop.
// Produces N 100-byte records to a fresh 6-partition topic, then consumes them all with
// (a) Consumer::poll_batch + commit_sync per batch and (b) a container (AckMode::batch,
// concurrency 1) whose record listener only counts; fresh groups, median of --runs.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"
#include "klab/framework/listener/listener_container.hpp"

namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Options {
  long records = 500000;
  int runs = 3;
};

Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Records/s of a hand-written poll loop vs ConcurrentListenerContainer on the cluster "
      "KLAB_BOOTSTRAP names, else the lab's own (`klab up`).",
      "container_perf"};
  app.add_option("--records", options.records, "records to produce and consume (100 B each)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--runs", options.runs, "runs per variant; the median is reported")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  return options;
}

std::string unique(const std::string& what) {
  return "container-perf-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(Clock::now().time_since_epoch().count() % 1000000000);
}

void produce(const klab::client::Config& base, const std::string& topic, long records) {
  auto config = base;
  config.set(klab::client::keys::linger_ms, "20")
      .set(klab::client::keys::queue_buffering_max_messages, "1000000");
  klab::client::Producer producer(config);
  const std::string value(100, 'x');
  std::atomic<long> failed{0};
  for (long i = 0; i < records; ++i) {
    klab::client::ProducerRecord record{.topic = topic, .value = value};
    while (true) {
      auto error = producer.send(record, [&](const klab::client::DeliveryReport& report) {
        if (report.error) ++failed;
      });
      if (!error) break;
      if (error.code() != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        throw klab::KafkaException(error, "producing the test records");
      producer.flush(100ms);  // let the queue drain, then send again
    }
  }
  if (auto error = producer.flush(120s)) throw klab::KafkaException(error, "flush");
  if (failed) throw std::runtime_error(std::to_string(failed.load()) + " records not delivered");
}

klab::client::Config consumer_config(const klab::client::Config& base, const std::string& group) {
  auto config = base;
  config.group_id(group);
  config.set(klab::client::keys::auto_offset_reset, "earliest")
      .set(klab::client::keys::enable_auto_commit, "false");
  return config;
}

// Both variants time from the first record to the last, so group joining is not counted.
double hand_written(const klab::client::Config& base, const std::string& topic, long records) {
  klab::client::Consumer consumer(consumer_config(base, unique("loop")));
  consumer.subscribe({topic});
  long seen = 0;
  Clock::time_point first{};
  const auto deadline = Clock::now() + 300s;
  while (seen < records && Clock::now() < deadline) {
    auto batch = consumer.poll_batch(500, 100ms);
    if (batch.empty()) continue;
    if (seen == 0) first = Clock::now();
    std::vector<klab::client::TopicPartition> offsets;
    for (const auto& record : batch) {
      if (record.error()) continue;
      ++seen;
      auto same = [&](const klab::client::TopicPartition& tp) {
        return tp.partition == record.partition() && tp.topic == record.topic();
      };
      if (auto it = std::find_if(offsets.begin(), offsets.end(), same); it != offsets.end())
        it->offset = record.offset() + 1;
      else
        offsets.push_back(
            {std::string(record.topic()), record.partition(), record.offset() + 1, {}});
    }
    consumer.commit_sync(offsets);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - first).count();
  consumer.close();
  if (seen < records) throw std::runtime_error("poll loop saw only " + std::to_string(seen));
  return static_cast<double>(records) / seconds;
}

double container(const klab::client::Config& base, const std::string& topic, long records) {
  std::atomic<long> seen{0};
  std::atomic<Clock::rep> first{0}, last{0};
  klab::framework::ConcurrentListenerContainer container(
      consumer_config(base, unique("container")),
      {.topics = {topic}, .ack_mode = klab::framework::AckMode::batch, .concurrency = 1},
      [&](const klab::framework::ListenerContext&) {
        const long n = ++seen;
        if (n == 1) first = Clock::now().time_since_epoch().count();
        if (n == records) last = Clock::now().time_since_epoch().count();
      });
  container.start();
  const auto deadline = Clock::now() + 300s;
  while (seen < records && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  container.stop();
  if (seen < records) throw std::runtime_error("container saw only " + std::to_string(seen));
  const double seconds =
      std::chrono::duration<double>(Clock::duration(last.load() - first.load())).count();
  return static_cast<double>(records) / seconds;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  try {
    auto target = klab::cluster::resolve_target(klab::cluster::LabPaths::discover());
    auto base = klab::cluster::client_config(target);
    auto topic = unique("topic");
    klab::client::Admin admin(base);
    admin.create_topic({.name = topic, .partitions = 6, .replication_factor = -1}, 30s);
    std::cout << "cluster " << target.describe() << ", topic " << topic << " (6 partitions)\n";
    produce(base, topic, options.records);
    std::cout << "produced " << options.records << " records of 100 B\n";

    std::vector<double> loop_rates, container_rates;
    for (int run = 1; run <= options.runs; ++run) {
      // Alternate which goes first, so a warming broker or a busy machine favours neither.
      if (run % 2) {
        loop_rates.push_back(hand_written(base, topic, options.records));
        container_rates.push_back(container(base, topic, options.records));
      } else {
        container_rates.push_back(container(base, topic, options.records));
        loop_rates.push_back(hand_written(base, topic, options.records));
      }
      std::printf("run %d: poll loop %.0f records/s, container %.0f records/s\n", run,
                  loop_rates.back(), container_rates.back());
    }
    const double loop = median(loop_rates);
    const double in_container = median(container_rates);
    const double overhead = (loop - in_container) / loop * 100;
    std::printf("\n| variant | records/s (median of %d) |\n|---|---|\n", options.runs);
    std::printf("| hand-written poll_batch loop, commit_sync per batch | %.0f |\n", loop);
    std::printf("| ConcurrentListenerContainer, AckMode::batch, concurrency 1 | %.0f |\n",
                in_container);
    std::printf("\noverhead: %.1f%%\n", overhead);
    try {
      admin.delete_topic(topic, 30s);
    } catch (const std::exception& e) {
      std::cerr << "container_perf: could not delete " << topic << ": " << e.what() << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << "container_perf: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
