// 1.1 Offset management: a record's offset, the log-end offset, and a group's committed offset.
#include <gtest/gtest.h>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/lab/lag.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::testing::cluster;
using klab::testing::unique_name;

std::vector<std::string> numbered(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("record-" + std::to_string(i));
  return v;
}

TEST(P1Offsets, OffsetsCountUpFromZeroWithinAPartition) {
  KLAB_ROADMAP("1.1.4");
  klab::client::Admin admin(cluster().client_config());
  auto topic = unique_name("log");
  admin.create_topic({.name = topic, .partitions = 1, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  auto reports = klab::testing::produce_values(cluster().client_config(), topic, numbered(5));
  ASSERT_EQ(reports.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(reports[i].offset, i);
  auto wm = admin.watermark_offsets(topic, 0, klab::cluster::scaled(10s));
  EXPECT_EQ(wm.low, 0);
  EXPECT_EQ(wm.high, 5) << "the log-end offset is the offset the next record will get";
}

TEST(P1Offsets, CommittedOffsetIsWhereTheGroupResumesAndLagIsTheRest) {
  KLAB_ROADMAP("1.1.4");
  auto base = cluster().client_config();
  klab::client::Admin admin(base);
  auto topic = unique_name("log");
  auto group = unique_name("readers");
  admin.create_topic({.name = topic, .partitions = 1, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  klab::testing::produce_values(base, topic, numbered(10));

  {
    Consumer c(klab::testing::consumer_config(base, group));
    c.subscribe({topic});
    auto first = klab::testing::consume_n(c, 4, 30s);
    ASSERT_EQ(first.size(), 4u);
    EXPECT_EQ(first.back().offset(), 3);
    c.commit_sync(first.back());  // commits offset 4: the next record to read
    c.close();
  }

  auto committed = admin.committed_offsets(group, {{topic, 0}}, klab::cluster::scaled(10s));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, 4);
  auto lag = klab::lab::group_lag(admin, group, klab::cluster::scaled(10s));
  ASSERT_EQ(lag.size(), 1u);
  EXPECT_EQ(lag[0].committed, 4);
  EXPECT_EQ(lag[0].log_end, 10);
  EXPECT_EQ(lag[0].lag, 6);

  Consumer again(klab::testing::consumer_config(base, group));
  again.subscribe({topic});
  auto rest = klab::testing::consume_n(again, 6, 30s);
  ASSERT_EQ(rest.size(), 6u);
  EXPECT_EQ(rest.front().offset(), 4) << "the group resumed at its committed offset";
  EXPECT_EQ(rest.front().value().value_or(""), "record-4");
  EXPECT_EQ(rest.back().offset(), 9);
  again.close();
}

}  // namespace
