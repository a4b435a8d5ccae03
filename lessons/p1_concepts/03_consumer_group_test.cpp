// 1.1 Producer, Consumer and Consumer Group: one group shares the work, two groups each see all.
#include <gtest/gtest.h>

#include <set>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::testing::cluster;
using klab::testing::unique_name;

std::set<int> partitions_of(Consumer& c) {
  std::set<int> out;
  for (const auto& tp : c.assignment()) out.insert(tp.partition);
  return out;
}

std::string make_topic(int partitions) {
  klab::client::Admin admin(cluster().client_config());
  auto topic = unique_name("orders");
  admin.create_topic({.name = topic, .partitions = partitions, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  return topic;
}

TEST(P1ConsumerGroup, MembersOfOneGroupSplitThePartitions) {
  KLAB_ROADMAP("1.1.3");
  auto topic = make_topic(4);
  auto group = unique_name("group");
  Consumer a(klab::testing::consumer_config(cluster().client_config(), group));
  Consumer b(klab::testing::consumer_config(cluster().client_config(), group));
  a.subscribe({topic});
  b.subscribe({topic});
  // Joining happens inside poll(): keep both polling until the group has settled.
  bool settled = klab::cluster::await_until(
      [&] {
        a.poll(100ms);
        b.poll(100ms);
        auto pa = partitions_of(a), pb = partitions_of(b);
        return pa.size() + pb.size() == 4 && !pa.empty() && !pb.empty();
      },
      klab::cluster::scaled(60s), 0ms);
  ASSERT_TRUE(settled) << "both members got partitions";
  auto pa = partitions_of(a), pb = partitions_of(b);
  std::set<int> all(pa);
  all.insert(pb.begin(), pb.end());
  EXPECT_EQ(all, (std::set<int>{0, 1, 2, 3})) << "every partition has an owner";
  EXPECT_EQ(pa.size(), 2u);
  EXPECT_EQ(pb.size(), 2u);
  for (int p : pa) EXPECT_FALSE(pb.count(p)) << "partition " << p << " has exactly one owner";

  // Two records per partition: each member reads only the partitions it owns.
  for (int p = 0; p < 4; ++p)
    klab::testing::produce_values(cluster().client_config(), topic,
                                  {"p" + std::to_string(p) + "-0", "p" + std::to_string(p) + "-1"},
                                  p);
  std::vector<klab::client::Record> got_a, got_b;
  klab::cluster::await_until(
      [&] {
        if (auto r = a.poll(100ms); r && !r->error()) got_a.push_back(std::move(*r));
        if (auto r = b.poll(100ms); r && !r->error()) got_b.push_back(std::move(*r));
        return got_a.size() + got_b.size() >= 8;
      },
      klab::cluster::scaled(30s), 0ms);
  EXPECT_EQ(got_a.size() + got_b.size(), 8u);
  for (auto& r : got_a) EXPECT_TRUE(pa.count(r.partition()));
  for (auto& r : got_b) EXPECT_TRUE(pb.count(r.partition()));
  a.close();
  b.close();
}

TEST(P1ConsumerGroup, EachGroupReceivesEveryRecord) {
  KLAB_ROADMAP("1.1.3");
  auto topic = make_topic(2);
  klab::testing::produce_values(cluster().client_config(), topic, {"x", "y", "z"});
  for (auto group : {unique_name("billing"), unique_name("shipping")}) {
    Consumer c(klab::testing::consumer_config(cluster().client_config(), group));
    c.subscribe({topic});
    auto records = klab::testing::consume_n(c, 3, 30s);
    std::multiset<std::string> values;
    for (auto& r : records) values.emplace(r.value().value_or(""));
    EXPECT_EQ(values, (std::multiset<std::string>{"x", "y", "z"})) << "group " << group;
    c.close();
  }
}

}  // namespace
