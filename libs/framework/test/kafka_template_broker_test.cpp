// KafkaTemplate against a real single-node cluster: futures, the ProducerListener and
// execute_in_transaction as read by a read_committed consumer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::Error;
using klab::client::Consumer;
using klab::client::DeliveryReport;
using klab::client::IsolationLevel;
using klab::client::PersistenceStatus;
using klab::client::ProducerRecord;
using klab::cluster::scaled;
using klab::framework::KafkaTemplate;
using klab::framework::ProducerListener;
using klab::testing::cluster;
using klab::testing::unique_name;

using StringTemplate = KafkaTemplate<std::string, std::string>;

TEST(KafkaTemplateOnBroker, SendFutureReportsThePartitionAndOffset) {
  auto topic = unique_name("template-send");
  klab::testing::create_topic(topic, 1, 1);
  StringTemplate kafka(cluster().client_config().acks("all"));
  kafka.set_default_topic(topic);

  auto first = kafka.send_default("k", "one").get();
  auto second = kafka.send(topic, "k", "two").get();
  ASSERT_FALSE(first.error) << first.error.to_string();
  ASSERT_FALSE(second.error) << second.error.to_string();
  EXPECT_EQ(first.status, PersistenceStatus::persisted);
  EXPECT_EQ(first.topic, topic);
  EXPECT_EQ(first.partition, 0);
  EXPECT_EQ(first.offset, 0);
  EXPECT_EQ(second.offset, 1);
  EXPECT_EQ(first.key, "k");

  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 2, 30s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value(), "one");
  EXPECT_EQ(got[1].value(), "two");
}

TEST(KafkaTemplateOnBroker, ProducerListenerHearsExactlyOneOutcomePerSend) {
  auto topic = unique_name("template-listener");
  klab::testing::create_topic(topic, 3, 1);
  StringTemplate kafka(cluster().client_config());
  std::atomic<int> successes{0};
  std::atomic<int> errors{0};
  kafka.set_producer_listener(
      {.on_success = [&](const ProducerRecord&, const DeliveryReport&) { ++successes; },
       .on_error = [&](const ProducerRecord&, const Error&) { ++errors; }});

  constexpr int count = 100;
  std::atomic<int> callbacks{0};
  for (int i = 0; i < count; ++i) {
    auto key = "k" + std::to_string(i % 7);
    // Half through futures, half through callbacks: the listener hears both alike.
    if (i % 2 == 0) {
      (void)kafka.send(topic, key, "v" + std::to_string(i));
    } else {
      ASSERT_FALSE(kafka.send(topic, key, "v" + std::to_string(i),
                              [&](const DeliveryReport&) { ++callbacks; }));
    }
  }
  ASSERT_FALSE(kafka.flush(scaled(30s)));
  EXPECT_EQ(successes, count);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(callbacks, count / 2);
}

TEST(KafkaTemplateOnBroker, ExecuteInTransactionCommitsOrAbortsAsAWhole) {
  auto topic = unique_name("template-txn");
  klab::testing::create_topic(topic, 1, 1);
  StringTemplate kafka(cluster().client_config().transactional_id(unique_name("tx")));

  // A block that throws midway: both the record before and after the throw point vanish.
  EXPECT_THROW(kafka.execute_in_transaction(
                   [&](StringTemplate& t) {
                     (void)t.send(topic, "k", "aborted-1");
                     (void)t.send(topic, "k", "aborted-2");
                     throw std::runtime_error("business rule failed");
                   },
                   scaled(30s)),
               std::runtime_error);

  // The template is still usable: the next block commits.
  std::vector<std::future<DeliveryReport>> sent;
  auto err = kafka.execute_in_transaction(
      [&](StringTemplate& t) {
        for (const char* v : {"c1", "c2", "c3"}) sent.push_back(t.send(topic, "k", v));
      },
      scaled(30s));
  ASSERT_FALSE(err) << err.to_string();
  for (auto& f : sent) EXPECT_FALSE(f.get().error);

  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  config.isolation_level(IsolationLevel::read_committed);
  Consumer consumer(config);
  consumer.subscribe({topic});
  // The aborted records sit at lower offsets than the committed ones, so if read_committed
  // let any through they would be among the first three read.
  auto got = klab::testing::consume_n(consumer, 3, 30s);
  std::vector<std::string> values;
  for (const auto& r : got) values.push_back(std::string(r.value().value_or("<null>")));
  EXPECT_EQ(values, (std::vector<std::string>{"c1", "c2", "c3"}))
      << "read_committed sees the committed block whole and nothing of the aborted one";
}

}  // namespace
