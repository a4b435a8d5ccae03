// 5.2.3 Retry topics (Spring's @RetryableTopic): a failing record leaves its partition for a
// retry topic, comes back after its back-off, and ends in the DLT when every attempt failed,
// while the records behind it are handled without waiting.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/retrytopic/retry_topic_container.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Admin;
using klab::client::Consumer;
using klab::client::Producer;
using klab::client::Record;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::framework::RetryTopicConfiguration;
using klab::framework::RetryTopicContainer;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::end_offset;
using klab::testing::unique_name;
namespace origin_headers = klab::framework::retry_origin_headers;
namespace retry_headers = klab::framework::retry_topic_headers;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string header(const Record& record, std::string_view name) {
  const auto* h = record.headers().last(name);
  return h && h->value ? *h->value : std::string("<none>");
}

// One call of the listener, as the listener saw it.
struct Delivery {
  std::string value;
  std::string topic;
  int partition = 0;
  std::int64_t delivered_at_ms = 0;
  std::int64_t due_ms = -1;  // retry_topic-backoff-timestamp, -1 on the main topic
  bool succeeded = false;
  int sequence = 0;  // order of all deliveries
};

// A listener that fails a value's first `failures[value]` deliveries (or with `not_retryable`
// values, always with std::invalid_argument), and records every delivery.
class FlakyListener {
 public:
  std::map<std::string, int> failures;  // value -> how many deliveries fail (-1: always)
  std::vector<std::string> not_retryable;

  void operator()(const ListenerContext& ctx) {
    Delivery d;
    d.value = std::string(ctx.record.value().value_or(""));
    d.topic = std::string(ctx.record.topic());
    d.partition = ctx.record.partition();
    d.delivered_at_ms = now_ms();
    if (const auto* due = ctx.record.headers().last(retry_headers::backoff_timestamp))
      d.due_ms = std::stoll(due->value.value_or("-1"));
    std::lock_guard lock(mutex_);
    d.sequence = static_cast<int>(deliveries_.size());
    const int seen = count_locked(d.value);
    deliveries_.push_back(d);
    if (std::find(not_retryable.begin(), not_retryable.end(), d.value) != not_retryable.end())
      throw std::invalid_argument("malformed: " + d.value);
    auto fail = failures.find(d.value);
    if (fail != failures.end() && (fail->second < 0 || seen < fail->second))
      throw std::runtime_error("processing " + d.value + " failed, delivery " +
                               std::to_string(seen + 1));
    deliveries_.back().succeeded = true;
  }

  std::vector<Delivery> of(const std::string& value) {
    std::lock_guard lock(mutex_);
    std::vector<Delivery> out;
    for (const auto& d : deliveries_)
      if (d.value == value) out.push_back(d);
    return out;
  }
  bool succeeded(const std::string& value) {
    auto all = of(value);
    return std::any_of(all.begin(), all.end(), [](const Delivery& d) { return d.succeeded; });
  }

 private:
  int count_locked(const std::string& value) const {
    return static_cast<int>(std::count_if(deliveries_.begin(), deliveries_.end(),
                                          [&](const Delivery& d) { return d.value == value; }));
  }
  std::mutex mutex_;
  std::vector<Delivery> deliveries_;
};

// Everything a topic holds, read by a fresh consumer (its own group) until `count` arrived.
std::vector<Record> read_topic(const std::string& topic, std::size_t count) {
  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("read")));
  consumer.subscribe({topic});
  return klab::testing::consume_n(consumer, count, 30s);
}

struct Lab {
  std::string topic = unique_name("orders");
  std::string group = unique_name("g");
  Producer producer{cluster().client_config()};
};

TEST(P5RetryTopics, RecordFailingTwiceIsProcessedOnceAfterTwoRetriesThroughOneRetryTopic) {
  KLAB_ROADMAP("5.2.3 6.2.2");
  Lab s;
  klab::testing::create_topic(s.topic, 1, 1);
  FlakyListener listener;
  listener.failures["flaky"] = 2;
  RetryTopicContainer container(
      klab::testing::consumer_config(cluster().client_config(), s.group), s.group,
      RetryTopicConfiguration({s.topic}).max_attempts(3).back_off(FixedBackOff{1000ms, 10}),
      std::ref(listener), s.producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), s.topic,
                                {"flaky", "after-1", "after-2", "after-3"});

  ASSERT_TRUE(await_until([&] { return listener.succeeded("flaky"); }, scaled(60s)));
  container.stop();

  auto flaky = listener.of("flaky");
  ASSERT_EQ(flaky.size(), 3u) << "main + two retries";
  EXPECT_EQ(flaky[0].topic, s.topic);
  // A fixed back-off: both retries wait the same, so they share one retry topic (Spring's
  // default since spring-kafka 3.0).
  EXPECT_EQ(flaky[1].topic, s.topic + "-retry");
  EXPECT_EQ(flaky[2].topic, s.topic + "-retry");
  EXPECT_FALSE(flaky[0].succeeded);
  EXPECT_FALSE(flaky[1].succeeded);
  EXPECT_TRUE(flaky[2].succeeded) << "processed successfully exactly once";
  for (const auto* later : {"after-1", "after-2", "after-3"}) {
    auto deliveries = listener.of(later);
    ASSERT_EQ(deliveries.size(), 1u) << later;
    EXPECT_TRUE(deliveries[0].succeeded);
    EXPECT_LT(deliveries[0].sequence, flaky[2].sequence)
        << later << " was not blocked behind the failing record";
  }

  // The retry topic holds the record once per retry; the attempts header tells them apart.
  auto retries = read_topic(s.topic + "-retry", 2);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].value(), "flaky");
  EXPECT_EQ(header(retries[0], retry_headers::attempts), "2");
  EXPECT_EQ(header(retries[1], retry_headers::attempts), "3");
  EXPECT_EQ(header(retries[1], origin_headers::topic), s.topic) << "kept across hops";
  EXPECT_EQ(header(retries[1], origin_headers::offset), "0");
  EXPECT_EQ(end_offset(s.topic + "-retry"), 2);
  EXPECT_EQ(end_offset(s.topic + "-dlt"), 0) << "it succeeded: nothing dead-lettered";
  EXPECT_EQ(committed_offset(s.group, s.topic), 4) << "main topic committed past every record";

  std::cout << "[figure] flaky: orders -> orders-retry (+"
            << flaky[1].delivered_at_ms - flaky[0].delivered_at_ms << " ms) -> orders-retry (+"
            << flaky[2].delivered_at_ms - flaky[1].delivered_at_ms << " ms) ok; 3 later records "
            << "done before it (sequence " << listener.of("after-3")[0].sequence << " < "
            << flaky[2].sequence << ")\n";
}

TEST(P5RetryTopics, RecordFailingAlwaysEndsInTheDltWithHeadersAndTheNextIsProcessed) {
  KLAB_ROADMAP("5.2.3 6.2.2");
  Lab s;
  klab::testing::create_topic(s.topic, 1, 1);
  FlakyListener listener;
  listener.failures["poison"] = -1;
  RetryTopicContainer container(
      klab::testing::consumer_config(cluster().client_config(), s.group), s.group,
      RetryTopicConfiguration({s.topic}).max_attempts(3).back_off(FixedBackOff{500ms, 10}),
      std::ref(listener), s.producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), s.topic, {"poison", "next"});

  auto dlt = read_topic(s.topic + "-dlt", 1);
  ASSERT_EQ(dlt.size(), 1u) << "the poison record reached the DLT";
  ASSERT_TRUE(
      await_until([&] { return committed_offset(s.group, s.topic + "-retry") == 2; }, scaled(30s)))
      << "the retry topic committed past both retries";
  container.stop();

  EXPECT_EQ(listener.of("poison").size(), 3u) << "max_attempts deliveries, then the DLT";
  ASSERT_EQ(listener.of("next").size(), 1u);
  EXPECT_TRUE(listener.of("next")[0].succeeded);
  const auto& dead = dlt[0];
  EXPECT_EQ(dead.value(), "poison");
  EXPECT_EQ(header(dead, origin_headers::topic), s.topic);
  EXPECT_EQ(header(dead, origin_headers::partition), "0");
  EXPECT_EQ(header(dead, origin_headers::offset), "0");
  EXPECT_NE(header(dead, origin_headers::timestamp), "<none>");
  EXPECT_EQ(header(dead, origin_headers::exception_class), "std::runtime_error");
  EXPECT_EQ(header(dead, origin_headers::exception_message),
            "processing poison failed, delivery 3");
  EXPECT_EQ(header(dead, retry_headers::attempts), "4")
      << "failed deliveries + 1, as Spring counts";
  EXPECT_EQ(end_offset(s.topic + "-dlt"), 1);
  EXPECT_EQ(committed_offset(s.group, s.topic), 2);

  std::cout << "[figure] poison: 3 deliveries (orders, orders-retry, orders-retry) -> "
            << "orders-dlt with " << dead.headers().size() << " headers; 'next' handled\n";
}

TEST(P5RetryTopics, NotRetryableErrorGoesStraightToTheDlt) {
  KLAB_ROADMAP("5.2.3");
  Lab s;
  klab::testing::create_topic(s.topic, 1, 1);
  FlakyListener listener;
  listener.not_retryable = {"malformed"};
  RetryTopicContainer container(klab::testing::consumer_config(cluster().client_config(), s.group),
                                s.group,
                                RetryTopicConfiguration({s.topic})
                                    .max_attempts(3)
                                    .back_off(FixedBackOff{500ms, 10})
                                    .not_retry_on<std::invalid_argument>(),
                                std::ref(listener), s.producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), s.topic, {"malformed", "fine"});

  auto dlt = read_topic(s.topic + "-dlt", 1);
  ASSERT_EQ(dlt.size(), 1u);
  ASSERT_TRUE(await_until([&] { return committed_offset(s.group, s.topic) == 2; }, scaled(30s)));
  container.stop();

  EXPECT_EQ(listener.of("malformed").size(), 1u) << "no second delivery";
  EXPECT_EQ(header(dlt[0], origin_headers::exception_class), "std::invalid_argument");
  EXPECT_EQ(header(dlt[0], retry_headers::attempts), "2") << "1 failed delivery + 1";
  EXPECT_EQ(end_offset(s.topic + "-retry"), 0) << "never visited the retry topic";
  EXPECT_TRUE(listener.succeeded("fine"));
  std::cout << "[figure] malformed (std::invalid_argument): 1 delivery -> orders-dlt, "
            << "retry topics untouched\n";
}

TEST(P5RetryTopics, RetryTopicsAreCreatedWithTheSourcePartitionCount) {
  KLAB_ROADMAP("5.2.3");
  Lab s;
  klab::testing::create_topic(s.topic, 3, 1);
  FlakyListener listener;
  listener.failures["p2-fails-once"] = 1;
  RetryTopicContainer container(
      klab::testing::consumer_config(cluster().client_config(), s.group), s.group,
      RetryTopicConfiguration({s.topic}).max_attempts(3).back_off(FixedBackOff{200ms, 10}),
      std::ref(listener), s.producer);
  container.start();  // creates the retry topics and the DLT

  Admin admin(cluster().client_config());
  auto described = admin.describe_topics({s.topic + "-retry", s.topic + "-dlt"}, scaled(10s));
  ASSERT_EQ(described.size(), 2u);
  for (const auto& topic : described) {
    EXPECT_FALSE(topic.error) << topic.name << ": " << topic.error.message();
    EXPECT_EQ(topic.partitions.size(), 3u) << topic.name;
    for (const auto& partition : topic.partitions)
      EXPECT_EQ(partition.replicas.size(), 1u) << topic.name << " has the source's RF";
  }

  // A record fails on partition 2 and travels on partition 2 of the retry topic.
  klab::testing::produce_values(cluster().client_config(), s.topic, {"p2-fails-once"}, 2);
  ASSERT_TRUE(await_until([&] { return listener.succeeded("p2-fails-once"); }, scaled(30s)));
  container.stop();
  auto deliveries = listener.of("p2-fails-once");
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(deliveries[1].topic, s.topic + "-retry");
  EXPECT_EQ(deliveries[1].partition, 2) << "same partition as on the main topic";
  EXPECT_EQ(end_offset(s.topic + "-retry", 2), 1);

  std::cout << "[figure] orders: 3 partitions -> orders-retry, orders-dlt created "
            << "with 3 partitions, RF 1; a failure on partition 2 retried on partition 2\n";
}

TEST(P5RetryTopics, RetryAttemptIsNotDeliveredBeforeItsDueTime) {
  KLAB_ROADMAP("5.2.3");
  Lab s;
  klab::testing::create_topic(s.topic, 1, 1);
  FlakyListener listener;
  listener.failures["slow"] = 2;
  RetryTopicContainer container(
      klab::testing::consumer_config(cluster().client_config(), s.group), s.group,
      RetryTopicConfiguration({s.topic}).max_attempts(3).back_off(
          klab::framework::ExponentialBackOff{.initial = 1500ms, .multiplier = 2.0}),
      std::ref(listener), s.producer);
  container.start();
  klab::testing::produce_values(cluster().client_config(), s.topic, {"slow"});
  ASSERT_TRUE(await_until([&] { return listener.succeeded("slow"); }, scaled(60s)));
  container.stop();

  auto slow = listener.of("slow");
  ASSERT_EQ(slow.size(), 3u);
  EXPECT_EQ(slow[0].due_ms, -1) << "the main topic's delivery has no due time";
  EXPECT_EQ(slow[1].topic, s.topic + "-retry-1500") << "growing delays: a topic each, by delay";
  EXPECT_EQ(slow[2].topic, s.topic + "-retry-3000");
  for (int i = 1; i <= 2; ++i) {
    ASSERT_GT(slow[i].due_ms, 0) << "delivery " << i + 1 << " carries its due time";
    EXPECT_GE(slow[i].delivered_at_ms, slow[i].due_ms) << "delivery " << i + 1 << " not early";
    EXPECT_GE(slow[i].due_ms, slow[i - 1].delivered_at_ms + (i == 1 ? 1500 : 3000))
        << "due = failure time + the back-off of retry " << i;
  }
  std::cout << "[figure] slow: orders-retry-1500 due +" << slow[1].due_ms - slow[0].delivered_at_ms
            << " ms, delivered " << slow[1].delivered_at_ms - slow[1].due_ms
            << " ms after due; orders-retry-3000 due +" << slow[2].due_ms - slow[1].delivered_at_ms
            << " ms, delivered " << slow[2].delivered_at_ms - slow[2].due_ms << " ms after due\n";
}

}  // namespace
