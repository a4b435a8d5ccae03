// Consumer::query_watermark_offsets / last_stable_offset against a real single-node cluster:
// an open transaction holds the last stable offset back while the high watermark moves on.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

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

std::string new_topic(const std::string& purpose) {
  auto name = unique_name(purpose);
  Admin admin(cluster().client_config());
  admin.create_topic({.name = name, .partitions = 1, .replication_factor = 1}, scaled(30s));
  return name;
}

Config consumer_config(IsolationLevel level) {
  auto c = cluster().client_config();
  c.group_id(unique_name("g")).isolation_level(level);
  return c;
}

TEST(ConsumerLastStableOffset, OpenTransactionHoldsTheLsoWhileTheHighWatermarkMovesOn) {
  auto topic = new_topic("lso");
  Producer plain(cluster().client_config());
  for (int i = 0; i < 2; ++i)  // offsets 0, 1
    ASSERT_FALSE(
        plain.send_sync({.topic = topic, .partition = 0, .value = "p"}, scaled(30s)).error);

  auto tc = cluster().client_config();
  tc.transactional_id(unique_name("tx"));
  Producer txn(tc);
  ASSERT_FALSE(txn.init_transactions(scaled(30s)));
  ASSERT_FALSE(txn.begin_transaction());
  for (int i = 0; i < 3; ++i)  // offsets 2, 3, 4, in the open transaction
    ASSERT_FALSE(txn.send({.topic = topic, .partition = 0, .value = "t"}));
  ASSERT_FALSE(txn.flush(scaled(30s)));

  Consumer committed(consumer_config(IsolationLevel::read_committed));
  Consumer uncommitted(consumer_config(IsolationLevel::read_uncommitted));
  EXPECT_EQ(committed.last_stable_offset(topic, 0, scaled(10s)), 2);
  EXPECT_EQ(committed.query_watermark_offsets(topic, 0, scaled(10s)).high, 2);
  EXPECT_EQ(uncommitted.query_watermark_offsets(topic, 0, scaled(10s)).high, 5);
  EXPECT_EQ(uncommitted.query_watermark_offsets(topic, 0, scaled(10s)).low, 0);

  ASSERT_FALSE(txn.commit_transaction(scaled(30s)));
  // The commit marker takes offset 5; the LSO reaches the log end once it is written.
  EXPECT_TRUE(klab::cluster::await_until(
      [&] { return committed.last_stable_offset(topic, 0, scaled(10s)) == 6; }, scaled(30s)));
  EXPECT_EQ(uncommitted.query_watermark_offsets(topic, 0, scaled(10s)).high, 6);
}

TEST(ConsumerLastStableOffset, ReadUncommittedConsumerIsRefused) {
  auto topic = new_topic("lso-ru");
  Consumer uncommitted(consumer_config(IsolationLevel::read_uncommitted));
  try {
    uncommitted.last_stable_offset(topic, 0, scaled(10s));
    FAIL() << "expected _INVALID_ARG";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error(), RD_KAFKA_RESP_ERR__INVALID_ARG) << e.what();
    EXPECT_NE(std::string(e.what()).find("read_committed"), std::string::npos) << e.what();
  }
}

TEST(ConsumerLastStableOffset, UnknownPartitionIsAnError) {
  auto topic = new_topic("lso-bad");
  Consumer committed(consumer_config(IsolationLevel::read_committed));
  EXPECT_THROW(committed.query_watermark_offsets(topic, 7, scaled(5s)), klab::KafkaException);
}

}  // namespace
