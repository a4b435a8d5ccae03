// 7.1.2 Consumer tuning: max.partition.fetch.bytes decides how much one fetch brings from a
// partition, and consumers beyond the partition count add nothing. Counted in librdkafka's
// statistics and in what each member read; the throughput side is `klab perf consume` with -X
// (bench/compare_perf.sh). fetch.min.bytes / fetch.wait.max.ms: lesson 3.4.1.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <set>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int record_bytes = 1'000;

// `n` records of 1,000 B, spread evenly over `partitions`, in batches of at most 16 KiB (so a
// fetch limit can cut between them).
void fill(const std::string& topic, int n, int partitions = 1) {
  Producer producer(cluster().client_config().acks("all").linger_ms(50).batch_size(16 * 1024));
  for (int i = 0; i < n; ++i)
    ASSERT_FALSE(producer.send({.topic = topic,
                                .partition = i % partitions,
                                .value = std::string(record_bytes, 'a' + i % 26)}));
  ASSERT_FALSE(producer.flush(scaled(60s)));
}

struct FetchCount {
  std::int64_t fetch_requests = 0;
  std::int64_t records = 0;
};

// Reads the whole topic (partition 0) with this max.partition.fetch.bytes; counts fetches.
FetchCount read_all(const std::string& topic, int n, int max_partition_fetch_bytes) {
  klab::client::ConsumerStatsCollector stats;
  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  config.set("max.partition.fetch.bytes", std::to_string(max_partition_fetch_bytes));
  config.statistics_interval_ms(100).statistics_handler(stats.handler());
  Consumer consumer(config);
  consumer.assign({{topic, 0, klab::client::offset_beginning}});
  FetchCount count;
  auto deadline = std::chrono::steady_clock::now() + scaled(60s);
  while (count.records < n && std::chrono::steady_clock::now() < deadline)
    for (const auto& r : consumer.poll_batch(500, 100ms))
      if (!r.error()) ++count.records;
  // Statistics are served by poll(): poll on until a sample counts every record received.
  for (auto until = std::chrono::steady_clock::now() + scaled(10s);
       std::chrono::steady_clock::now() < until;) {
    (void)consumer.poll(100ms);
    if (auto s = stats.latest(); s && s->rxmsgs >= n) {
      count.fetch_requests = s->fetch_requests();
      break;
    }
  }
  std::cout << "max.partition.fetch.bytes=" << max_partition_fetch_bytes << ": " << count.records
            << " records in " << count.fetch_requests << " fetch requests\n";
  return count;
}

TEST(P7ConsumerTuning, MaxPartitionFetchBytesCapsWhatOneFetchBringsFromAPartition) {
  KLAB_ROADMAP("7.1.2");
  constexpr int n = 2'000;  // about 2 MB on the partition
  auto topic = unique_name("fetch-size");
  klab::testing::create_topic(topic, 1, 1);
  fill(topic, n);
  auto small = read_all(topic, n, 64 * 1024);
  auto large = read_all(topic, n, 1024 * 1024);
  ASSERT_EQ(small.records, n);
  ASSERT_EQ(large.records, n);
  // A fetch brings at most max.partition.fetch.bytes of one partition (beyond the first batch),
  // so 2 MB takes at least 2 MB / 64 KiB fetches; more fetches also count the empty long polls.
  const auto bytes = std::int64_t{n} * record_bytes;
  EXPECT_GE(small.fetch_requests, bytes / (64 * 1024)) << "64 KiB per fetch at most";
  EXPECT_GE(large.fetch_requests, bytes / (1024 * 1024));
  EXPECT_GT(small.fetch_requests, 4 * large.fetch_requests)
      << "16x the limit, far fewer round trips for the same records";
}

TEST(P7ConsumerTuning, ConsumersBeyondThePartitionCountGetNoPartitionAndReadNothing) {
  KLAB_ROADMAP("7.1.2");
  constexpr int partitions = 4, consumers = 6, n = 400;
  auto topic = unique_name("fan-out");
  klab::testing::create_topic(topic, partitions, 1);
  auto group = unique_name("g");
  std::vector<std::unique_ptr<Consumer>> members;
  for (int i = 0; i < consumers; ++i) {
    auto config = klab::testing::consumer_config(cluster().client_config(), group);
    config.partition_assignment_strategy("range");
    members.push_back(std::make_unique<Consumer>(config));
    members.back()->subscribe({topic});
  }
  std::vector<std::int64_t> read(consumers, 0);
  std::int64_t total = 0;
  auto poll_all = [&] {  // a rebalance needs every member to poll
    for (std::size_t i = 0; i < members.size(); ++i)
      for (const auto& r : members[i]->poll_batch(500, 20ms))
        if (!r.error()) ++read[i], ++total;
  };
  auto owners_per_partition = [&] {
    std::multiset<int> owned;
    for (auto& m : members)
      for (const auto& tp : m->assignment()) owned.insert(tp.partition);
    return owned;
  };
  // The group is settled once the coordinator has all six in a Stable generation and every
  // member applied its share: each partition has exactly one owner.
  klab::client::Admin admin(cluster().client_config());
  auto settled = [&] {
    poll_all();
    auto owned = owners_per_partition();
    if (owned.size() != partitions ||
        std::set<int>(owned.begin(), owned.end()).size() != static_cast<std::size_t>(partitions))
      return false;
    auto d = admin.describe_group(group, scaled(10s));
    return d.state == "Stable" && d.members.size() == static_cast<std::size_t>(consumers);
  };
  ASSERT_TRUE(klab::cluster::await_until(settled, scaled(90s), 10ms))
      << "each of the 4 partitions owned by exactly one of 6 members";
  // Only now the records: what each member reads follows from this one assignment.
  fill(topic, n, partitions);
  auto deadline = std::chrono::steady_clock::now() + scaled(60s);
  while (total < n && std::chrono::steady_clock::now() < deadline) poll_all();
  EXPECT_EQ(total, n) << "every record read once";
  int idle = 0;
  for (std::size_t i = 0; i < members.size(); ++i) {
    auto owned = members[i]->assignment().size();
    std::cout << "member " << i << ": " << owned << " partition(s), " << read[i] << " records\n";
    if (owned == 0) {
      ++idle;
      EXPECT_EQ(read[i], 0) << "a member without partitions reads nothing";
    } else {
      EXPECT_GT(read[i], 0) << "every owner reads its partitions' records";
    }
  }
  EXPECT_EQ(idle, consumers - partitions) << "6 members, 4 partitions: 2 wait idle";
  for (auto& m : members) m->close();
}

}  // namespace
