// 8.1.4 Backup and recovery without a second data center: a cold backup of a cleanly stopped
// cluster restored elsewhere, and replaying the log from a point in time.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/extra_cluster.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

// Per partition: how many records and an FNV-1a hash over every offset, key and value in order.
std::map<std::int32_t, std::pair<std::size_t, std::uint64_t>> checksums(
    const klab::client::Config& config, const std::string& topic) {
  std::map<std::int32_t, std::pair<std::size_t, std::uint64_t>> sums;
  klab::client::read_to_end(config, topic, [&](const klab::client::Record& r) {
    auto& [count, hash] = sums[r.partition()];
    if (count == 0) hash = 14695981039346656037ull;
    auto mix = [&h = hash](std::string_view bytes) {
      for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    };
    mix(std::to_string(r.offset()));
    mix(r.key().value_or("<null>"));
    mix(r.value().value_or("<null>"));
    ++count;
  });
  return sums;
}

std::vector<klab::client::TopicPartition> committed(const klab::client::Config& config,
                                                    const std::string& group) {
  klab::client::Admin admin(config);
  auto offsets = admin.committed_offsets(group, {}, scaled(30s));
  std::sort(offsets.begin(), offsets.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  for (auto& o : offsets) o.error = {};
  return offsets;
}

TEST(P8Backup, AColdCopyOfAStoppedClustersDataRestoresEveryRecordAndCommittedOffset) {
  KLAB_ROADMAP("8.1.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // copies a lab's files
  klab::testing::ExtraCluster original;
  auto topic = "backup.orders";
  auto group = "backup.billing";
  {
    klab::client::Admin admin(original.client_config());
    admin.create_topic({.name = topic,
                        .partitions = 3,
                        .replication_factor = 1,
                        .configs = {{"retention.ms", "-1"}}},
                       scaled(30s));
    klab::client::Producer producer(original.client_config().acks("all").enable_idempotence(true));
    for (int i = 0; i < 3000; ++i)
      ASSERT_FALSE(producer.send({.topic = topic,
                                  .key = "customer-" + std::to_string(i % 97),
                                  .value = "order-" + std::to_string(i)}));
    ASSERT_FALSE(producer.flush(scaled(60s)));
    admin.alter_group_offsets(group, {{topic, 0, 400}, {topic, 1, 500}, {topic, 2, 600}},
                              scaled(30s));
  }
  auto before = checksums(original.client_config(), topic);
  auto offsets_before = committed(original.client_config(), group);

  // Clean stop (the brokers flush and close their logs), then the files are the backup: the
  // KRaft metadata log (topics, configs) and every partition, __consumer_offsets included.
  original.local().down();
  auto backup = original.dir() / "backup";
  std::filesystem::copy(original.local().state_dir(), backup,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove_all(original.local().state_dir());  // the disaster: the disks are gone

  // Restore: the copy, in another folder (another machine), started as is. Node ids, the
  // cluster id and the ports come with it.
  klab::cluster::ClusterSpec spec;
  spec.nodes = 1;
  spec.first_client_port = 0;  // the copy's own
  spec.state_dir = backup;
  spec.die_with_parent = true;
  spec.light_jvm = true;
  klab::cluster::LocalCluster restored(klab::cluster::LabPaths::discover(), spec);
  restored.up();
  auto config = klab::client::Config().bootstrap_servers(restored.bootstrap());
  auto after = checksums(config, topic);
  auto offsets_after = committed(config, group);
  restored.down(10s);

  for (const auto& [p, sum] : before)
    std::cout << "partition " << p << ": " << sum.first << " records, checksum " << std::hex
              << sum.second << std::dec << " -> " << after[p].first << " records, " << std::hex
              << after[p].second << std::dec << "\n";
  ASSERT_EQ(before.size(), 3u);
  EXPECT_EQ(after, before) << "every partition, record for record";
  EXPECT_EQ(offsets_after, offsets_before) << "the group resumes where it was";
}

TEST(P8Replay, OffsetsForTimesFindsTheFirstRecordAtATimeAndAReplayReadsExactlyWhatCameAfter) {
  KLAB_ROADMAP("8.1.4");
  auto topic = unique_name("replay");
  klab::testing::create_topic(topic, 2, 1);
  // Three hours of events, 100 per hour, with the time each happened (CreateTime).
  const std::int64_t t0 = 1'796'000'000'000;  // 2026-11-30, whole hours below
  constexpr std::int64_t hour = 3'600'000;
  klab::client::Producer producer(cluster().client_config().acks("all"));
  for (int h = 0; h < 3; ++h)
    for (int i = 0; i < 100; ++i)
      ASSERT_FALSE(producer.send({.topic = topic,
                                  .key = "k" + std::to_string(i % 10),
                                  .value = "hour-" + std::to_string(h),
                                  .timestamp = t0 + h * hour + i * 1000}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  // "Replay everything since the bad deploy at hour 1": the offsets of that moment.
  klab::client::Consumer lookup(
      cluster().client_config().group_id(klab::client::throwaway_group_id("replay")));
  auto from = lookup.offsets_for_times({{topic, 0, t0 + hour}, {topic, 1, t0 + hour}}, scaled(30s));
  std::map<std::string, int> replayed;
  klab::client::read_to_end(
      cluster().client_config(), topic,
      [&](const klab::client::Record& r) { ++replayed[std::string(*r.value())]; }, {.from = from});
  std::cout << "replay from hour 1: " << replayed["hour-0"] << " of hour 0, " << replayed["hour-1"]
            << " of hour 1, " << replayed["hour-2"] << " of hour 2\n";
  EXPECT_EQ(replayed["hour-0"], 0);
  EXPECT_EQ(replayed["hour-1"], 100);
  EXPECT_EQ(replayed["hour-2"], 100);

  auto future = lookup.offsets_for_times({{topic, 0, t0 + 5 * hour}}, scaled(30s));
  EXPECT_EQ(future[0].offset, klab::client::offset_end) << "no record that new: the end (-1)";
}

}  // namespace
