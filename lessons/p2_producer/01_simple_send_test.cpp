// 2.1 A simple send: what the producer writes is what an independent consumer reads.
#include <gtest/gtest.h>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::client::Headers;
using klab::client::PersistenceStatus;
using klab::client::Producer;
using klab::client::ProducerRecord;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

TEST(P2SimpleSend, IndependentConsumerReadsTheSameKeyValueAndHeaders) {
  KLAB_ROADMAP("2.1.1");
  auto topic = unique_name("greetings");
  klab::testing::create_topic(topic, 3, 1);

  Producer producer(cluster().client_config().acks("all"));
  ProducerRecord record{.topic = topic,
                        .key = "user-42",
                        .value = "안녕하세요, Kafka",
                        .headers = Headers{{"trace-id", "abc-123"}, {"source", "lesson-2.1"}}};
  auto report = producer.send_sync(record, scaled(30s));
  ASSERT_FALSE(report.error) << report.error.to_string();
  EXPECT_EQ(report.status, PersistenceStatus::persisted);
  EXPECT_EQ(report.offset, 0) << "the first record of its partition";
  EXPECT_GE(report.timestamp.ms, 0);

  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  const auto& r = got[0];
  EXPECT_EQ(r.partition(), report.partition) << "read from where the report said it landed";
  EXPECT_EQ(r.offset(), report.offset);
  EXPECT_EQ(r.key(), "user-42");
  EXPECT_EQ(r.value(), "안녕하세요, Kafka");
  ASSERT_NE(r.headers().last("trace-id"), nullptr);
  EXPECT_EQ(r.headers().last("trace-id")->value, "abc-123");
  EXPECT_EQ(r.headers().last("source")->value, "lesson-2.1");
  EXPECT_EQ(r.timestamp().ms, report.timestamp.ms) << "CreateTime set by the producer";
}

TEST(P2SimpleSend, NullKeyAndNullValueTravelAsNullNotEmpty) {
  KLAB_ROADMAP("2.1.1");
  auto topic = unique_name("nulls");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = std::nullopt, .value = "v"}, scaled(30s)).error);
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = "k", .value = std::nullopt}, scaled(30s)).error);
  ASSERT_FALSE(producer.send_sync({.topic = topic, .key = "", .value = ""}, scaled(30s)).error);

  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 3, 30s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[0].key().has_value());
  EXPECT_FALSE(got[1].value().has_value()) << "a null value is a tombstone";
  ASSERT_TRUE(got[2].key().has_value());
  EXPECT_TRUE(got[2].key()->empty()) << "an empty key is not a null key";
}

}  // namespace
