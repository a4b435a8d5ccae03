// 7.1.3 Network & IO: Kafka reads through the operating system's page cache. A consumer that
// reads a segment the kernel no longer caches makes the broker read it from disk; the same
// read a second time costs the disk nothing. Counted in the broker process's /proc/<pid>/io.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;
namespace fs = std::filesystem;

// Bytes the process (every thread it ever had) caused to be read from the block device.
std::int64_t disk_read_bytes(pid_t pid) {
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  std::string key;
  std::int64_t value = 0;
  while (io >> key >> value)
    if (key == "read_bytes:") return value;
  ADD_FAILURE() << "no read_bytes in /proc/" << pid << "/io";
  return -1;
}

// Writes the segment files' dirty pages back, then asks the kernel to drop them from the page
// cache (per file: no global drop_caches, which needs more than root inside a container).
void evict_from_page_cache(const fs::path& partition_dir) {
  for (const auto& f : fs::directory_iterator(partition_dir)) {
    if (f.path().extension() != ".log") continue;
    int fd = ::open(f.path().c_str(), O_RDONLY);
    ASSERT_GE(fd, 0) << f.path();
    ::fdatasync(fd);
    EXPECT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0) << f.path();
    ::close(fd);
  }
}

std::size_t read_everything(const std::string& topic, int n) {
  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  return klab::testing::consume_until(config, topic, static_cast<std::size_t>(n), 60s).size();
}

TEST(P7NetworkIo, ColdReadComesFromDiskAndTheSameReadAgainFromThePageCache) {
  KLAB_ROADMAP("7.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  constexpr int n = 8'000;  // 8 MB of 1 KB records
  auto topic = unique_name("page-cache");
  klab::testing::create_topic(topic, 1, 1);
  {
    klab::client::Producer producer(cluster().client_config().acks("all").linger_ms(20));
    for (int i = 0; i < n; ++i)
      ASSERT_FALSE(producer.send({.topic = topic, .value = std::string(1000, 'a' + i % 26)}));
    ASSERT_FALSE(producer.flush(scaled(60s)));
  }
  auto segment = static_cast<std::int64_t>(klab::testing::log_segment_bytes(topic, 0));
  int leader = klab::testing::partition_info(topic, 0).leader;
  pid_t pid = 0;
  for (const auto& node : cluster().local().nodes())
    if (node.id == leader) pid = node.pid;
  ASSERT_GT(pid, 0);

  evict_from_page_cache(cluster().local().node_dir(leader) / "data" / (topic + "-0"));
  auto before_cold = disk_read_bytes(pid);
  ASSERT_EQ(read_everything(topic, n), static_cast<std::size_t>(n));
  auto cold = disk_read_bytes(pid) - before_cold;

  auto before_warm = disk_read_bytes(pid);
  ASSERT_EQ(read_everything(topic, n), static_cast<std::size_t>(n));
  auto warm = disk_read_bytes(pid) - before_warm;

  std::cout << "segment " << segment << " B; broker disk reads: cold " << cold << " B, warm "
            << warm << " B\n";
  // Read-ahead may fetch a little past the end; other files (indexes, metadata log) a little.
  EXPECT_GE(cold, segment * 9 / 10) << "the cold read came from disk";
  EXPECT_LE(cold, segment * 2) << "and only about the segment";
  // Not "nothing": on a loaded machine the kernel may drop a few of the segment's pages between
  // the two reads (a full-suite run measured 1 MiB of 8), or the broker reads other files.
  EXPECT_LT(warm, segment / 4) << "the second read came from the page cache";
}

}  // namespace
