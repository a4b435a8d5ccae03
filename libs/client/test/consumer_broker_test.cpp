// Consumer features against a real single-node cluster, for what librdkafka 2.0.2's mock cannot
// do: it answers every ListOffsets by timestamp with -1, so offsets_for_times and
// seek_to_timestamp are checked here.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using namespace klab::client;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

// Explicit create times, far from "now" so the broker's own clock cannot interfere.
constexpr std::int64_t base_ms = 1'700'000'000'000;

std::string new_topic(const std::string& purpose) {
  auto name = unique_name(purpose);
  Admin admin(cluster().client_config());
  admin.create_topic({.name = name, .partitions = 1, .replication_factor = 1}, scaled(30s));
  return name;
}

/// Five records at base_ms + 0, 1000, 2000, 3000, 4000 (offsets 0..4).
void produce_timed(const std::string& topic) {
  Producer producer(cluster().client_config());
  for (int i = 0; i < 5; ++i) {
    auto rep = producer.send_sync({.topic = topic,
                                   .partition = 0,
                                   .value = "v" + std::to_string(i),
                                   .timestamp = base_ms + i * 1000},
                                  scaled(30s));
    ASSERT_FALSE(rep.error) << rep.error;
  }
}

Config consumer_config() {
  auto c = cluster().client_config();
  c.group_id(unique_name("g")).auto_offset_reset(OffsetReset::earliest).enable_auto_commit(false);
  return c;
}

TEST(ConsumerOnBroker, OffsetsForTimesFindsTheFirstRecordAtOrAfterATimestamp) {
  auto t = new_topic("times");
  produce_timed(t);
  Consumer consumer(consumer_config());

  auto at = [&](std::int64_t ts) {
    auto out = consumer.offsets_for_times({{t, 0, ts}}, scaled(10s));
    EXPECT_EQ(out.size(), 1u);
    EXPECT_FALSE(out.at(0).error) << out.at(0).error;
    return out.at(0).offset;
  };
  EXPECT_EQ(at(base_ms), 0) << "exactly the first record's time";
  EXPECT_EQ(at(base_ms + 1500), 2) << "between records: the next one";
  EXPECT_EQ(at(base_ms + 4000), 4);
  EXPECT_EQ(at(base_ms - 60'000), 0) << "before everything: the first record";
  EXPECT_EQ(at(base_ms + 60'000), -1) << "after everything: no such record";
}

TEST(ConsumerOnBroker, SeekToTimestampStartsAtTheFirstRecordThatNew) {
  auto t = new_topic("seek-ts");
  produce_timed(t);
  Consumer consumer(consumer_config());
  consumer.assign({{t, 0, offset_beginning}});
  // Seek needs the partition to be fetching: read one record first.
  std::optional<Record> first;
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        first = consumer.poll(100ms);
        return first && !first->error();
      },
      scaled(30s)));
  consumer.seek_to_timestamp(base_ms + 2500, scaled(10s));
  std::optional<Record> next;
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        next = consumer.poll(100ms);
        return next && !next->error();
      },
      scaled(30s)));
  EXPECT_EQ(next->offset(), 3) << "records at +0 .. +2000 were skipped";
  EXPECT_EQ(next->timestamp().ms, base_ms + 3000);
}

}  // namespace
