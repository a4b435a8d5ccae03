// 1.2 Creating a topic and checking it, through the admin API.
#include <gtest/gtest.h>

#include <algorithm>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::testing::cluster;
using klab::testing::unique_name;

TEST(P1Topics, CreatedTopicIsListedAndDescribedWithItsPartitions) {
  KLAB_ROADMAP("1.2.3");
  klab::client::Admin admin(cluster().client_config());
  auto topic = unique_name("hello");
  admin.create_topic({.name = topic, .partitions = 3, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  // Every broker learns of the topic from the metadata log a moment after the controller
  // accepted it, and each request may ask another broker: wait until listing and describing
  // both see it, don't assume one answer implies the next.
  std::vector<klab::client::TopicDescription> d;
  bool known = klab::cluster::await_until(
      [&] {
        auto names = admin.list_topics(false, klab::cluster::scaled(10s));
        d = admin.describe_topics({topic}, klab::cluster::scaled(10s));
        return std::find(names.begin(), names.end(), topic) != names.end() && d.size() == 1 &&
               !d[0].error && !d[0].partitions.empty();
      },
      klab::cluster::scaled(20s));
  EXPECT_TRUE(known);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].partitions.size(), 3u);
}

TEST(P1Topics, CreatingAnExistingTopicFailsWithTopicAlreadyExists) {
  KLAB_ROADMAP("1.2.3");
  klab::client::Admin admin(cluster().client_config());
  auto topic = unique_name("twice");
  admin.create_topic({.name = topic, .partitions = 1, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  try {
    admin.create_topic({.name = topic, .partitions = 1, .replication_factor = 1},
                       klab::cluster::scaled(30s));
    FAIL() << "a second create must fail";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) << e.what();
  }
}

TEST(P1Topics, InternalTopicsAreHiddenUnlessAskedFor) {
  KLAB_ROADMAP("1.2.3");
  auto base = cluster().client_config();
  klab::client::Admin admin(base);
  auto topic = unique_name("seen");
  admin.create_topic({.name = topic, .partitions = 1, .replication_factor = 1},
                     klab::cluster::scaled(30s));
  klab::testing::produce_values(base, topic, {"one"});
  // A group's first commit makes the broker create __consumer_offsets.
  klab::client::Consumer c(klab::testing::consumer_config(base, unique_name("g")));
  c.subscribe({topic});
  auto got = klab::testing::consume_n(c, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  c.commit_sync(got[0]);
  c.close();
  auto with = admin.list_topics(true, klab::cluster::scaled(10s));
  auto without = admin.list_topics(false, klab::cluster::scaled(10s));
  EXPECT_NE(std::find(with.begin(), with.end(), "__consumer_offsets"), with.end());
  EXPECT_EQ(std::find(without.begin(), without.end(), "__consumer_offsets"), without.end());
  EXPECT_NE(std::find(without.begin(), without.end(), topic), without.end());
}

}  // namespace
