// The baseline for `klab perf produce`: the plainest librdkafka producer loop there is
// (rd_kafka_produce on a topic handle, RD_KAFKA_MSG_F_COPY, a counting delivery callback, one
// steady_clock read per record for its latency, as ProducerPerformance and klab perf take).
// What klab::client adds over this loop is what compare_perf.sh measures.
//
//   raw_producer_perf --topic T [--records 1000000] [--record-size 100] [-X key=value ...]
//
// Prints one JSON line: records, elapsed_s, records_per_s, failed, latency_ms p50/p99/p99_9.
// The cluster and its client properties come from klab::cluster's resolver (KLAB_BOOTSTRAP +
// KLAB_CLIENT_PROPERTIES, else the lab's own); only the hot loop is raw librdkafka.
#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"

namespace {
using Clock = std::chrono::steady_clock;

struct State {
  std::vector<Clock::time_point> sent_at;
  std::vector<std::int64_t> latency_ns;
  std::atomic<long> completed{0};
  std::atomic<long> failed{0};
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* s = static_cast<State*>(opaque);
  auto i = reinterpret_cast<std::uintptr_t>(m->_private);
  if (m->err)
    ++s->failed;
  else
    s->latency_ns[i] =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - s->sent_at[i]).count();
  s->completed.fetch_add(1, std::memory_order_release);
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Plain librdkafka producer loop: the baseline klab perf produce is compared to");
  std::string topic;
  long records = 1'000'000;
  long record_size = 100;
  std::vector<std::string> props;
  app.add_option("--topic", topic, "existing topic")->required();
  app.add_option("--records,-n", records, "records to send")->capture_default_str();
  app.add_option("--record-size", record_size, "value bytes per record")->capture_default_str();
  app.add_option("-X", props, "librdkafka property key=value (repeatable)");
  CLI11_PARSE(app, argc, argv);

  // Everything the lab's resolver gives (bootstrap, security), then the -X overrides.
  auto target = klab::cluster::resolve_target(klab::cluster::LabPaths::discover());
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::cerr << "raw_producer_perf: " << k << "=" << v << ": " << err << "\n";
      std::exit(2);
    }
  };
  const auto base = klab::cluster::client_config(target);
  for (const auto& [k, v] : base.values()) set(k, v);
  // klab's producers use the Java partitioner; the baseline must not do less hashing work.
  set("partitioner", "murmur2_random");
  for (const auto& p : props) {
    auto eq = p.find('=');
    if (eq == std::string::npos) {
      std::cerr << "raw_producer_perf: -X wants key=value, not " << p << "\n";
      return 2;
    }
    set(p.substr(0, eq), p.substr(eq + 1));
  }
  State s;
  s.sent_at.resize(static_cast<std::size_t>(records));
  s.latency_ns.assign(static_cast<std::size_t>(records), -1);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &s);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    std::cerr << "raw_producer_perf: " << err << "\n";
    return 1;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);

  // Warm up like klab perf does: metadata and connections before the clock starts.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
    rd_kafka_metadata_destroy(md);

  std::minstd_rand rng(42);
  std::string value(static_cast<std::size_t>(record_size), 'A');
  auto start = Clock::now();
  for (long i = 0; i < records; ++i) {
    for (auto& c : value) c = static_cast<char>('A' + rng() % 26);
    s.sent_at[static_cast<std::size_t>(i)] = Clock::now();
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value.data(),
                            value.size(), nullptr, 0,
                            reinterpret_cast<void*>(static_cast<std::uintptr_t>(i))) == -1) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::cerr << "raw_producer_perf: " << rd_kafka_err2str(rd_kafka_last_error()) << "\n";
        return 1;
      }
      rd_kafka_poll(rk, 5);
    }
    rd_kafka_poll(rk, 0);
  }
  while (s.completed.load(std::memory_order_acquire) < records) rd_kafka_poll(rk, 50);
  auto elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> ms;
  ms.reserve(s.latency_ns.size());
  for (auto ns : s.latency_ns)
    if (ns >= 0) ms.push_back(static_cast<double>(ns) / 1e6);
  std::sort(ms.begin(), ms.end());
  std::printf(
      "{\"tool\":\"raw-librdkafka\",\"records\":%ld,\"record_size\":%ld,\"elapsed_s\":%.3f,"
      "\"records_per_s\":%.1f,\"failed\":%ld,\"latency_ms\":{\"p50\":%.3f,\"p99\":%.3f,"
      "\"p99_9\":%.3f}}\n",
      records, record_size, elapsed, static_cast<double>(records) / elapsed, s.failed.load(),
      percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 0.999));
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return s.failed.load() == 0 ? 0 : 1;
}
