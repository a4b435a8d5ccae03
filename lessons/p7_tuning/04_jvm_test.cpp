// 7.1.4 JVM tuning: the broker's heap is for requests in flight and metadata, not for data (the
// page cache holds that, 7.1.3). Two brokers with G1, as `klab up` runs them, one with a small
// heap and one with a large one, take the same writes; their GC logs say how often each
// collected. Counts are asserted only in their direction; the pause times are printed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <regex>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
namespace fs = std::filesystem;

struct GcSummary {
  int young_pauses = 0;
  double young_pause_ms = 0;
  int full_pauses = 0;
};

// G1 with -Xlog:gc writes one line per collection:
//   [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 24M->8M(64M) 3.456ms
GcSummary read_gc_log(const fs::path& log) {
  GcSummary s;
  std::ifstream in(log);
  std::string line;
  static const std::regex pause_ms(R"(([0-9.]+)ms\s*$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.find("Pause Young") != std::string::npos) {
      ++s.young_pauses;
      if (std::regex_search(line, m, pause_ms)) s.young_pause_ms += std::stod(m[1]);
    } else if (line.find("Pause Full") != std::string::npos) {
      ++s.full_pauses;
    }
  }
  return s;
}

GcSummary operator-(GcSummary a, const GcSummary& b) {
  a.young_pauses -= b.young_pauses;
  a.young_pause_ms -= b.young_pause_ms;
  a.full_pauses -= b.full_pauses;
  return a;
}

// A one-node broker of its own with `heap_mb` of heap and G1 (not the test clusters' light JVM),
// fed the same 200,000 records of 1 KB; returns what its GC log gained meanwhile.
GcSummary collections_under_load(int heap_mb) {
  auto state = fs::temp_directory_path() /
               ("klab-jvm-" + std::to_string(::getpid()) + "-" + std::to_string(heap_mb));
  fs::remove_all(state);
  klab::cluster::ClusterSpec spec;
  spec.nodes = 1;
  spec.state_dir = state;
  spec.heap_mb = heap_mb;
  // The log cleaner's dedupe buffer (128 MiB by default) alone would not fit a 128 MB heap: the
  // broker dies at start with OutOfMemoryError (seen when this lesson was written).
  spec.broker_properties["log.cleaner.dedupe.buffer.size"] = std::to_string(16 << 20);
  // G1's own pause goal (200 ms), not the lab's 20 ms: with 20 ms, G1 keeps the young generation
  // small to keep pauses short, whatever the heap (both heaps then collect about equally often).
  spec.jvm_flags = {"-XX:MaxGCPauseMillis=200"};
  spec.die_with_parent = true;
  auto port = klab::cluster::find_free_port_block(1);
  if (!port) throw klab::cluster::ClusterError("no free loopback port for the JVM lesson's broker");
  spec.first_client_port = *port;
  klab::cluster::LocalCluster broker(klab::cluster::LabPaths::discover(), spec);
  broker.up();
  auto gc_log = broker.node_dir(1) / "logs" / "gc.log";
  auto config = klab::client::Config().bootstrap_servers(broker.bootstrap());
  klab::client::Admin(config).create_topic(
      {.name = "jvm-load", .partitions = 3, .replication_factor = 1}, scaled(30s));
  auto before = read_gc_log(gc_log);
  {
    klab::client::Producer producer(config.acks("all").linger_ms(5));
    std::minstd_rand rng(1);
    std::string value(1000, 'x');
    for (int i = 0; i < 200'000; ++i) {
      for (auto& c : value) c = static_cast<char>('a' + rng() % 26);
      while (producer.send({.topic = "jvm-load", .value = value}) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        (void)producer.flush(10ms);
    }
    EXPECT_FALSE(producer.flush(scaled(120s)));
  }
  auto gained = read_gc_log(gc_log) - before;
  std::cout << "-Xmx" << heap_mb << "m, G1: " << gained.young_pauses << " young collections ("
            << gained.young_pause_ms << " ms paused in all), " << gained.full_pauses << " full\n";
  broker.down(10s);
  fs::remove_all(state);
  return gained;
}

TEST(P7Jvm, SmallerHeapCollectsMoreOftenUnderTheSameWrites) {
  KLAB_ROADMAP("7.1.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto small = collections_under_load(128);
  auto large = collections_under_load(1024);
  EXPECT_GT(small.young_pauses, 0) << "200 MB through a 128 MB heap needs collecting";
  EXPECT_GT(small.young_pauses, large.young_pauses)
      << "8x the heap: the young generation fills less often";
  EXPECT_EQ(small.full_pauses, 0) << "a small heap is not too small: no full collection";
}

}  // namespace
