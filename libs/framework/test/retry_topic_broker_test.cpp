// RetryTopicContainer on a real broker: publishing failures keep the offset, the DLT handler,
// delay-suffixed shared retry topics, bad input.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/retrytopic/retry_topic_container.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/string_log.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::Admin;
using klab::client::Config;
using klab::client::Producer;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::framework::RetryTopicConfiguration;
using klab::framework::RetryTopicContainer;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::consumer_config;
using klab::testing::end_offset;
using klab::testing::StringLog;
using klab::testing::unique_name;

TEST(RetryTopicContainerOnBroker, PublishFailureLeavesTheSourceOffsetUncommittedUntilItWorks) {
  auto topic = unique_name("src");
  auto group = unique_name("g");
  klab::testing::create_topic(topic, 2, 1);
  // The DLT has one partition: dead-lettering a record of partition 1 fails.
  klab::testing::create_topic(topic + "-dlt", 1, 1);
  Config producer_config = cluster().client_config();
  producer_config.set("topic.metadata.refresh.interval.ms", "500");  // see the new partition soon
  Producer producer(producer_config);
  std::atomic<int> calls{0};
  RetryTopicContainer container(
      consumer_config(cluster().client_config(), group), group,
      RetryTopicConfiguration({topic}).max_attempts(1).auto_create_topics(false),
      [&](const ListenerContext&) {
        ++calls;
        throw std::runtime_error("always");
      },
      producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), topic, {"x"}, 1);

  ASSERT_TRUE(await_until([&] { return calls >= 3; }, scaled(30s)))
      << "delivered again while publishing fails";
  EXPECT_LT(committed_offset(group, topic, 1), 1) << "not committed: the record is not lost";
  EXPECT_EQ(end_offset(topic + "-dlt"), 0);

  Admin(cluster().client_config()).create_partitions(topic + "-dlt", 2, scaled(10s));
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic, 1) == 1; }, scaled(30s)))
      << "committed once the DLT took it";
  container.stop();
  EXPECT_EQ(end_offset(topic + "-dlt", 1), 1) << "dead-lettered exactly once, on partition 1";
}

TEST(RetryTopicContainerOnBroker, DltHandlerGetsTheDeadLetteredRecordWithItsHeaders) {
  auto topic = unique_name("src");
  auto group = unique_name("g");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  std::mutex mutex;
  std::vector<std::string> dead;  // "value|original topic|attempts"
  RetryTopicContainer container(
      consumer_config(cluster().client_config(), group), group,
      RetryTopicConfiguration({topic}).max_attempts(2).back_off(FixedBackOff{100ms, 5}),
      [](const ListenerContext&) { throw std::runtime_error("nope"); }, producer);
  container.dlt_handler([&](const ListenerContext& ctx) {
    auto h = [&](std::string_view name) {
      const auto* header = ctx.record.headers().last(name);
      return header && header->value ? *header->value : std::string("?");
    };
    std::lock_guard lock(mutex);
    dead.push_back(std::string(ctx.record.value().value_or("")) + "|" +
                   h(klab::framework::retry_origin_headers::topic) + "|" +
                   h(klab::framework::retry_topic_headers::attempts));
  });
  container.start();
  EXPECT_EQ(container.listened_topics(),
            (std::vector<std::string>{topic, topic + "-retry", topic + "-dlt"}));
  klab::testing::produce_values(cluster().client_config(), topic, {"v"});
  ASSERT_TRUE(
      await_until([&] { return committed_offset(group, topic + "-dlt") == 1; }, scaled(30s)));
  container.stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(dead, (std::vector<std::string>{"v|" + topic + "|3"}));
  EXPECT_THROW(container.dlt_handler([](const ListenerContext&) {}), KafkaException)
      << "too late after start()";
}

TEST(RetryTopicContainerOnBroker, RetriesWithTheSameDelayShareOneTopicAndCountTheirAttempts) {
  auto topic = unique_name("src");
  auto group = unique_name("g");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  StringLog calls;  // the topic of each call
  std::atomic<int> failures_left{2};
  RetryTopicContainer container(
      consumer_config(cluster().client_config(), group), group,
      RetryTopicConfiguration({topic}).max_attempts(3).back_off(FixedBackOff{300ms, 5}),
      [&](const ListenerContext& ctx) {
        calls.add(std::string(ctx.record.topic()));
        if (failures_left-- > 0) throw std::runtime_error("again");
      },
      producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), topic, {"v"});
  ASSERT_TRUE(await_until([&] { return calls.snapshot().size() >= 3; }, scaled(30s)));
  ASSERT_TRUE(
      await_until([&] { return committed_offset(group, topic + "-retry") == 2; }, scaled(30s)));
  container.stop();
  EXPECT_EQ(calls.snapshot(),
            (std::vector<std::string>{topic, topic + "-retry", topic + "-retry"}));
  EXPECT_EQ(end_offset(topic + "-retry"), 2) << "both retries went through one topic";
  EXPECT_EQ(end_offset(topic + "-dlt"), 0);
}

TEST(RetryTopicContainerOnBroker, StartFailsWhenTheMainTopicDoesNotExist) {
  auto topic = unique_name("missing");
  Producer producer(cluster().client_config());
  RetryTopicContainer container(
      consumer_config(cluster().client_config(), "g"), "g", RetryTopicConfiguration({topic}),
      [](const ListenerContext&) {}, producer);
  try {
    container.start();
    ADD_FAILURE() << "started without its main topic";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) << e.what();
    EXPECT_NE(std::string(e.what()).find(topic), std::string::npos) << e.what();
  }
  EXPECT_FALSE(container.running());
}

TEST(RetryTopicContainerOnBroker, BadArgumentsNameTheSetting) {
  Producer producer(cluster().client_config());
  auto expect_invalid = [&](auto make, const std::string& field) {
    try {
      make();
      ADD_FAILURE() << "accepted; expected an error naming " << field;
    } catch (const KafkaException& e) {
      EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  auto ok = [](const ListenerContext&) {};
  expect_invalid(
      [&] {
        RetryTopicContainer(consumer_config(cluster().client_config(), "g"), "",
                            RetryTopicConfiguration({"t"}), ok, producer);
      },
      "group_id");
  expect_invalid(
      [&] {
        RetryTopicContainer(consumer_config(cluster().client_config(), "g"), "g",
                            RetryTopicConfiguration({"t"}), {}, producer);
      },
      "listener");
  expect_invalid(
      [&] {
        RetryTopicContainer(consumer_config(cluster().client_config(), "g"), "g",
                            RetryTopicConfiguration({"t"}), ok, producer, 0);
      },
      "concurrency");
  expect_invalid(
      [&] {
        RetryTopicContainer(consumer_config(cluster().client_config(), "g"), "g",
                            RetryTopicConfiguration(), ok, producer);
      },
      "topics");
}

}  // namespace
