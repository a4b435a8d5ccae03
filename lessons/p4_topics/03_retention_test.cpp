// 4.3 Topic management: how old records leave the log — by age, by size, or by compaction down
// to the latest value per key. The cluster (declared in 01_topic_design) runs its retention
// check every second and its cleaner every half second.
#include <gtest/gtest.h>

#include <map>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Admin;
using klab::client::Consumer;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

struct Kept {
  std::int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
};

// Every record partition 0 still holds, from its log start to its end.
std::vector<Kept> read_partition(const std::string& topic) {
  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("reader"));
  config.enable_partition_eof(true);
  Consumer consumer(config);
  consumer.assign({{topic, 0, klab::client::offset_beginning}});
  std::vector<Kept> out;
  auto deadline = std::chrono::steady_clock::now() + scaled(30s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = consumer.poll(200ms);
    if (!r) continue;
    if (r->error().code() == RD_KAFKA_RESP_ERR__PARTITION_EOF) break;
    if (r->error()) continue;
    auto copy = [](auto v) { return v ? std::optional<std::string>(*v) : std::nullopt; };
    out.push_back({r->offset(), copy(r->key()), copy(r->value())});
  }
  return out;
}

klab::client::WatermarkOffsets watermarks(const std::string& topic) {
  return Admin(cluster().client_config()).watermark_offsets(topic, 0, scaled(10s));
}

// Appends one small record: a segment only rolls when something is appended after segment.ms,
// and only closed segments are ever deleted or cleaned.
void tick(Producer& producer, const std::string& topic) {
  EXPECT_FALSE(
      producer.send_sync({.topic = topic, .key = "tick", .value = "t"}, scaled(10s)).error);
}

TEST(P4Retention, TimeRetentionDeletesOldSegmentsAndMovesTheLogStartOffset) {
  KLAB_ROADMAP("4.3.1");
  auto topic = unique_name("aging");
  klab::testing::create_topic(topic, 1, 1, {{"retention.ms", "2000"}, {"segment.ms", "500"}});
  Producer producer(cluster().client_config());
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(producer.send({.topic = topic, .key = "k", .value = std::to_string(i)}));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  EXPECT_EQ(watermarks(topic).low, 0);

  bool gone = klab::cluster::await_until(
      [&] {
        tick(producer, topic);
        return watermarks(topic).low >= 100;
      },
      scaled(60s), 500ms);
  ASSERT_TRUE(gone) << "log start offset still " << watermarks(topic).low;
  auto kept = read_partition(topic);
  ASSERT_FALSE(kept.empty());
  EXPECT_GE(kept.front().offset, 100) << "the first 100 records are gone from the log";
  std::cout << "retention.ms=2000: log start moved to " << watermarks(topic).low << ", "
            << kept.size() << " tick record(s) left\n";
}

TEST(P4Retention, SizeRetentionTrimsTheLogToAboutRetentionBytes) {
  KLAB_ROADMAP("4.3.2");
  auto topic = unique_name("sized");
  constexpr int segment = 1 << 20;
  klab::testing::create_topic(
      topic, 1, 1,
      {{"retention.bytes", std::to_string(segment)}, {"segment.bytes", std::to_string(segment)}});
  Producer producer(cluster().client_config().linger_ms(20));
  std::string value(1000, 'x');
  constexpr int records = 5000;  // about 5 MiB: five segments' worth
  for (int i = 0; i < records; ++i) ASSERT_FALSE(producer.send({.topic = topic, .value = value}));
  ASSERT_FALSE(producer.flush(scaled(60s)));

  // Whole segments go: what stays is at most the retained bytes plus the active segment. A
  // retention pass can run while the records are still arriving, so wait for the pass after the
  // last one rather than stop at the first moved log start.
  auto within_bound = [&](const auto& w) {
    return w.low > 0 && w.high - w.low < 2 * segment / 1000;
  };
  bool trimmed =
      klab::cluster::await_until([&] { return within_bound(watermarks(topic)); }, scaled(60s));
  auto wm = watermarks(topic);
  ASSERT_TRUE(trimmed) << "log start " << wm.low << ", end " << wm.high
                       << ": the log was not trimmed to about retention.bytes";
  auto kept = wm.high - wm.low;
  std::cout << "retention.bytes=1 MiB, segment.bytes=1 MiB, " << records
            << " records of 1 kB: " << kept << " kept (log start " << wm.low << ")\n";
  EXPECT_LT(kept, 2 * segment / 1000);
  EXPECT_GT(kept, 0);
}

std::map<std::string, std::vector<std::string>> values_by_key(const std::vector<Kept>& kept) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& k : kept)
    if (k.key && *k.key != "tick") out[*k.key].push_back(k.value.value_or("<tombstone>"));
  return out;
}

TEST(P4Compaction, OnlyTheLatestValuePerKeyRemainsAndATombstoneRemovesTheKey) {
  KLAB_ROADMAP("4.3.3");
  auto topic = unique_name("profiles");
  klab::testing::create_topic(topic, 1, 1,
                              {{"cleanup.policy", "compact"},
                               {"segment.ms", "100"},
                               {"min.cleanable.dirty.ratio", "0.01"},
                               {"delete.retention.ms", "1000"}});
  Producer producer(cluster().client_config());
  for (int version = 0; version < 20; ++version)
    for (int k = 0; k < 10; ++k)
      ASSERT_FALSE(producer.send({.topic = topic,
                                  .key = "user-" + std::to_string(k),
                                  .value = "v" + std::to_string(version)}));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  ASSERT_EQ(values_by_key(read_partition(topic)).at("user-0").size(), 20u) << "before cleaning";

  std::map<std::string, std::vector<std::string>> latest;
  bool compacted = klab::cluster::await_until(
      [&] {
        tick(producer, topic);
        latest = values_by_key(read_partition(topic));
        for (const auto& [key, values] : latest)
          if (values.size() != 1) return false;
        return latest.size() == 10;
      },
      scaled(60s), 500ms);
  ASSERT_TRUE(compacted) << "user-0 still has " << latest["user-0"].size() << " values";
  for (const auto& [key, values] : latest) EXPECT_EQ(values.front(), "v19") << key;
  auto wm = watermarks(topic);
  std::cout << "compacted: " << wm.high << " offsets written, 10 keys with one value each\n";

  // A null value is a tombstone: the key's value is removed, and after delete.retention.ms
  // the tombstone itself is cleaned away.
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = "user-0", .value = std::nullopt}, scaled(10s))
          .error);
  bool removed = klab::cluster::await_until(
      [&] {
        tick(producer, topic);
        latest = values_by_key(read_partition(topic));
        return !latest.contains("user-0");
      },
      scaled(60s), 500ms);
  EXPECT_TRUE(removed) << "user-0 still holds " << latest["user-0"].size() << " record(s)";
  EXPECT_EQ(latest.size(), 9u);
}

}  // namespace
