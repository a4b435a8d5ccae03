// ConcurrentListenerContainer on a real broker, the parts beyond one-record listeners: batch
// listeners and their failures, the count / time ack modes, topic patterns, typed payloads
// with undecodable values, the container factory, and a graceful stop of a batch listener.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/batch_listener_failed_exception.hpp"
#include "klab/framework/listener/concurrent_listener_container_factory.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/framework/listener/typed_listener.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/string_log.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::AckMode;
using klab::framework::BatchListenerContext;
using klab::framework::BatchListenerFailedException;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::ConcurrentListenerContainerFactory;
using klab::framework::ContainerProperties;
using klab::framework::DeadLetterPublishingRecoverer;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::consumer_config;
using klab::testing::numbered_values;
using klab::testing::StringLog;
using klab::testing::unique_name;
using klab::testing::value_of;

TEST(BatchListenerOnBroker, BatchesNeverExceedMaxPollRecordsAndKeepPartitionOrder) {
  auto topic = unique_name("batches");
  klab::testing::create_topic(topic, 3, 1);
  for (int p = 0; p < 3; ++p)
    klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 30), p);
  auto group = unique_name("g");
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  std::map<int, std::vector<std::int64_t>> offsets_by_partition;
  std::atomic<int> total{0};
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .max_poll_records = 7},
      [&](const BatchListenerContext& ctx) {
        std::lock_guard lock(mutex);
        sizes.push_back(ctx.records.size());
        EXPECT_EQ(ctx.ack, nullptr) << "no Acknowledgment in AckMode::batch";
        for (const auto& record : ctx.records) {
          EXPECT_FALSE(record.error()) << "error events are removed";
          offsets_by_partition[record.partition()].push_back(record.offset());
        }
        total += static_cast<int>(ctx.records.size());
      });
  container.start();
  ASSERT_TRUE(await_until([&] { return total >= 90; }, scaled(30s))) << total;
  container.stop();

  EXPECT_EQ(total, 90) << "every record exactly once";
  EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()), 7u);
  EXPECT_GE(sizes.size(), 13u) << "90 records in batches of at most 7";
  for (int p = 0; p < 3; ++p) {
    std::vector<std::int64_t> expected(30);
    for (int i = 0; i < 30; ++i) expected[i] = i;
    EXPECT_EQ(offsets_by_partition[p], expected) << "partition " << p << " in order, once";
    EXPECT_EQ(committed_offset(group, topic, p), 30) << "partition " << p;
  }
}

TEST(BatchListenerOnBroker, FailedIndexCommitsTheRecordsBeforeItWhichAreNotRedelivered) {
  auto topic = unique_name("blfe-commit");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 10));
  std::atomic<int> recover_calls{0};
  // Recovery keeps failing, so record 5 comes back forever and nothing past it is committed.
  DefaultErrorHandler handler(FixedBackOff{0ms, 1},
                              [&](const klab::client::Record&, const std::exception_ptr&) {
                                ++recover_calls;
                                throw std::runtime_error("recoverer down");
                              });
  auto group = unique_name("g");
  StringLog handled;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const BatchListenerContext& ctx) {
        for (std::size_t i = 0; i < ctx.records.size(); ++i) {
          auto value = value_of(ctx.records[i]);
          handled.add(value);
          if (value == "5") throw BatchListenerFailedException(i, "cannot handle 5");
        }
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return recover_calls >= 2; }, scaled(30s)))
      << "5 failed, was retried and its recovery failed twice";
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 5; }, scaled(30s)))
      << "0..4 committed";
  container.stop();
  EXPECT_EQ(committed_offset(group, topic), 5) << "nothing past the failed record";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(handled.count(std::to_string(i)), 1u) << i << " handled once, never redelivered";
  EXPECT_GE(handled.count("5"), 4u) << "two rounds of (first try + one retry)";
  for (int i = 6; i < 10; ++i) EXPECT_EQ(handled.count(std::to_string(i)), 0u) << i;
}

TEST(BatchListenerOnBroker, FailedIndexIsRetriedThenDeadLetteredAndTheRestProcessedOnce) {
  auto topic = unique_name("blfe-dlt");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::create_topic(topic + "-dlt", 1, 1);
  auto reports =
      klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 10));
  ASSERT_EQ(reports.size(), 10u);
  klab::client::Producer producer(cluster().client_config());
  DefaultErrorHandler handler(FixedBackOff{20ms, 2}, DeadLetterPublishingRecoverer(producer));
  auto group = unique_name("g");
  StringLog handled;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const BatchListenerContext& ctx) {
        for (std::size_t i = 0; i < ctx.records.size(); ++i) {
          auto value = value_of(ctx.records[i]);
          handled.add(value);
          if (value == "5")
            throw BatchListenerFailedException(
                i, "wrapped", std::make_exception_ptr(std::invalid_argument("bad five")));
        }
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 10; }, scaled(30s)));
  container.stop();

  EXPECT_EQ(handled.count("5"), 3u) << "first try + 2 retries";
  for (int i = 0; i < 10; ++i) {
    if (i == 5) continue;
    EXPECT_EQ(handled.count(std::to_string(i)), 1u) << i << " processed once";
  }
  auto order = handled.snapshot();
  EXPECT_EQ(std::find(order.begin(), order.end(), "6") - order.begin(), 8)
      << "6 only after 0..4 and three tries of 5";

  klab::client::Consumer dlt(consumer_config(cluster().client_config(), unique_name("dlt-reader")));
  dlt.subscribe({topic + "-dlt"});
  auto got = klab::testing::consume_n(dlt, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(value_of(got[0]), "5");
  auto* offset = got[0].headers().last(klab::framework::dlt_headers::original_offset);
  ASSERT_NE(offset, nullptr);
  EXPECT_EQ(offset->value.value_or(""), std::to_string(reports[5].offset));
  auto* type = got[0].headers().last(klab::framework::dlt_headers::exception_class);
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->value.value_or(""), "std::invalid_argument") << "the cause, not the wrapper";
}

TEST(BatchListenerOnBroker, WholeBatchFailureIsRetriedThenEveryRecordRecoveredInOrder) {
  auto topic = unique_name("batch-fail");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c"});
  StringLog recovered;
  DefaultErrorHandler handler(FixedBackOff{0ms, 2},
                              [&](const klab::client::Record& record, const std::exception_ptr&) {
                                recovered.add(value_of(record));
                              });
  auto group = unique_name("g");
  std::atomic<int> failing_calls{0};
  StringLog succeeded;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const BatchListenerContext& ctx) {
        for (const auto& record : ctx.records) {
          if (value_of(record) == "b") {
            ++failing_calls;
            throw std::runtime_error("the batch holds b");
          }
        }
        for (const auto& record : ctx.records) succeeded.add(value_of(record));
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 3; }, scaled(30s)));
  klab::testing::produce_values(cluster().client_config(), topic, {"d"});
  ASSERT_TRUE(await_until([&] { return succeeded.count("d") == 1; }, scaled(30s)))
      << "the container carries on after the recovered batch";
  container.stop();

  EXPECT_EQ(failing_calls, 3) << "first try + 2 retries of the whole batch";
  auto got = recovered.snapshot();
  ASSERT_FALSE(got.empty());
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end())) << "recovered in offset order";
  EXPECT_EQ(std::count(got.begin(), got.end(), "b"), 1);
  for (const auto& value : {"a", "b", "c"})
    EXPECT_EQ(recovered.count(value) + succeeded.count(value), 1u)
        << value << " either processed or recovered, once";
  EXPECT_EQ(committed_offset(group, topic), 4);
}

struct Order {
  int id = 0;
  std::string item;
};
void from_json(const nlohmann::json& json, Order& order) {
  json.at("id").get_to(order.id);
  json.at("item").get_to(order.item);
}

TEST(TypedListenerOnBroker, UndeserializableValueGoesToTheDltWithoutRetries) {
  auto topic = unique_name("typed");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::create_topic(topic + "-dlt", 1, 1);
  klab::testing::produce_values(
      cluster().client_config(), topic,
      {R"({"id":1,"item":"pen"})", "not json", R"({"id":3,"item":"ink"})"});
  klab::client::Producer producer(cluster().client_config());
  // Many retries allowed: a DeserializationException must not use any of them.
  DefaultErrorHandler handler(FixedBackOff{50ms, 5}, DeadLetterPublishingRecoverer(producer));
  auto group = unique_name("g");
  std::mutex mutex;
  std::vector<int> ids;
  std::map<std::int64_t, int> deliveries;  // per offset, typed or not
  auto typed =
      klab::framework::typed_listener<Order>([&](const Order& order, const ListenerContext&) {
        std::lock_guard lock(mutex);
        ids.push_back(order.id);
      });
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::record},
      [&](const ListenerContext& ctx) {
        {
          std::lock_guard lock(mutex);
          ++deliveries[ctx.record.offset()];
        }
        typed(ctx);
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 3; }, scaled(30s)));
  container.stop();

  EXPECT_EQ(ids, (std::vector<int>{1, 3})) << "the bad value never reached the typed listener";
  EXPECT_EQ(deliveries[1], 1) << "no retry for a value that cannot deserialize";
  klab::client::Consumer dlt(consumer_config(cluster().client_config(), unique_name("dlt-reader")));
  dlt.subscribe({topic + "-dlt"});
  auto got = klab::testing::consume_n(dlt, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(value_of(got[0]), "not json");
  auto* type = got[0].headers().last(klab::framework::dlt_headers::exception_class);
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->value.value_or(""), "klab::framework::DeserializationException");
}

TEST(AckModesOnBroker, CountModeCommitsAtMultiplesOfAckCount) {
  auto topic = unique_name("count");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 23));
  auto group = unique_name("g");
  std::mutex mutex;
  std::map<std::int64_t, std::int64_t> committed_when_seen;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::count, .ack_count = 5},
      [&](const ListenerContext& ctx) {
        auto now = ctx.consumer.committed({{topic, 0}}, scaled(10s));
        std::lock_guard lock(mutex);
        committed_when_seen[ctx.record.offset()] = now.at(0).offset;
      });
  container.start();
  ASSERT_TRUE(await_until(
      [&] {
        std::lock_guard lock(mutex);
        return committed_when_seen.size() == 23;
      },
      scaled(30s)));
  EXPECT_EQ(committed_offset(group, topic), 20) << "21..23 wait for the next multiple of 5";
  container.stop();
  EXPECT_EQ(committed_offset(group, topic), 23) << "stop commits the rest";
  for (const auto& [offset, seen] : committed_when_seen) {
    const std::int64_t multiple = offset / 5 * 5;
    if (multiple == 0) {
      EXPECT_LT(seen, 0) << "nothing committed before record " << offset;
    } else {
      EXPECT_EQ(seen, multiple) << "committed offset when record " << offset << " arrived";
    }
  }
}

TEST(AckModesOnBroker, TimeModeCommitsOnlyOnceAckTimePassedOrOnStop) {
  auto topic = unique_name("time");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 5));
  auto long_group = unique_name("g-hour");
  auto short_group = unique_name("g-short");
  std::atomic<int> long_seen{0};
  std::atomic<int> short_seen{0};
  ConcurrentListenerContainer hour(
      consumer_config(cluster().client_config(), long_group),
      {.topics = {topic}, .group_id = long_group, .ack_mode = AckMode::time, .ack_time = 1h},
      [&](const ListenerContext&) { ++long_seen; });
  ConcurrentListenerContainer shortly(consumer_config(cluster().client_config(), short_group),
                                      {.topics = {topic},
                                       .group_id = short_group,
                                       .ack_mode = AckMode::count_time,
                                       .ack_count = 1000,
                                       .ack_time = 100ms},
                                      [&](const ListenerContext&) { ++short_seen; });
  hour.start();
  shortly.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(short_group, topic) == 5; }, scaled(30s)))
      << "100 ms after the last commit, at a poll, without stopping";
  ASSERT_TRUE(await_until([&] { return long_seen == 5; }, scaled(30s)));
  EXPECT_LT(committed_offset(long_group, topic), 0) << "an hour has not passed: nothing committed";
  hour.stop();
  EXPECT_EQ(committed_offset(long_group, topic), 5) << "stop commits what was processed";
  shortly.stop();
  EXPECT_EQ(short_seen, 5);
}

TEST(TopicPatternOnBroker, PatternSubscriptionPicksUpTopicsCreatedLater) {
  auto prefix = unique_name("pat");
  std::string pattern;
  for (char c : prefix) {
    if (c == '.') pattern += '\\';
    pattern += c;
  }
  pattern += "-(a|b)";  // no '^': the container anchors it
  klab::testing::create_topic(prefix + "-a", 1, 1);
  auto group = unique_name("g");
  auto config = consumer_config(cluster().client_config(), group);
  config.set("topic.metadata.refresh.interval.ms", "500");
  StringLog seen;
  ConcurrentListenerContainer container(
      config, {.topic_pattern = pattern, .group_id = group},
      [&](const ListenerContext& ctx) { seen.add(std::string(ctx.record.topic())); });
  EXPECT_EQ(container.properties().topic_pattern, "^" + pattern);
  container.start();
  klab::testing::produce_values(cluster().client_config(), prefix + "-a", {"1"});
  klab::testing::create_topic(prefix + "-c", 1, 1);  // does not match
  klab::testing::produce_values(cluster().client_config(), prefix + "-c", {"x"});
  ASSERT_TRUE(await_until([&] { return seen.count(prefix + "-a") == 1; }, scaled(30s)));
  klab::testing::create_topic(prefix + "-b", 1, 1);
  // Produce until the refreshed subscription has the new topic (records before it was
  // assigned are read too: auto.offset.reset=earliest).
  klab::testing::produce_values(cluster().client_config(), prefix + "-b", {"2"});
  ASSERT_TRUE(await_until([&] { return seen.count(prefix + "-b") == 1; }, scaled(60s)))
      << "the topic created after start() was picked up";
  container.stop();
  EXPECT_EQ(seen.count(prefix + "-c"), 0u) << "a non-matching topic is not read";
  EXPECT_EQ(committed_offset(group, prefix + "-b"), 1);
}

ContainerProperties valid() { return {.topics = {"t"}, .group_id = "g"}; }

std::string rejection(ContainerProperties properties) {
  try {
    ConcurrentListenerContainer container(cluster().client_config(), std::move(properties),
                                          [](const ListenerContext&) {});
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return "";
}

TEST(ContainerPropertiesValidation, InvalidPropertiesThrowNamingTheField) {
  auto both = valid();
  both.topic_pattern = "^t.*";
  auto message = rejection(both);
  EXPECT_NE(message.find("topics"), std::string::npos) << message;
  EXPECT_NE(message.find("topic_pattern"), std::string::npos) << message;
  EXPECT_NE(message.find("both"), std::string::npos) << message;

  auto neither = valid();
  neither.topics.clear();
  message = rejection(neither);
  EXPECT_NE(message.find("topic_pattern"), std::string::npos) << message;
  EXPECT_NE(message.find("neither"), std::string::npos) << message;

  auto bad_regex = valid();
  bad_regex.topics.clear();
  bad_regex.topic_pattern = "^orders-(";
  EXPECT_NE(rejection(bad_regex).find("topic_pattern"), std::string::npos);

  auto zero_count = valid();
  zero_count.ack_mode = AckMode::count;
  zero_count.ack_count = 0;
  EXPECT_NE(rejection(zero_count).find("ack_count"), std::string::npos);

  auto zero_time = valid();
  zero_time.ack_mode = AckMode::time;
  zero_time.ack_time = 0ms;
  EXPECT_NE(rejection(zero_time).find("ack_time"), std::string::npos);

  auto zero_records = valid();
  zero_records.max_poll_records = 0;
  EXPECT_NE(rejection(zero_records).find("max_poll_records"), std::string::npos);

  auto no_threads = valid();
  no_threads.concurrency = 0;
  EXPECT_NE(rejection(no_threads).find("concurrency"), std::string::npos);

  // ack_count 0 is fine when the ack mode does not count.
  auto unused = valid();
  unused.ack_count = 0;
  EXPECT_NO_THROW(ConcurrentListenerContainer(cluster().client_config(), unused,
                                              [](const BatchListenerContext&) {}));
}

TEST(ContainerFactoryOnBroker, DefaultsApplyAndPerCallValuesOverride) {
  auto topic = unique_name("factory");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "bad", "c", "d", "e"});
  StringLog recovered;
  ConcurrentListenerContainerFactory factory(
      klab::testing::consumer_config(cluster().client_config(), "unused-default-group"),
      {.group_id = "unused-default-group",
       .ack_mode = AckMode::count,
       .ack_count = 2,
       .concurrency = 2,
       .max_poll_records = 2},
      DefaultErrorHandler(FixedBackOff{0ms, 0},
                          [&](const klab::client::Record& record, const std::exception_ptr&) {
                            recovered.add(value_of(record));
                          }));
  auto group = unique_name("g");
  std::mutex mutex;
  std::size_t largest = 0;
  StringLog handled;
  auto container = factory.create(
      {topic}, group,
      [&](const BatchListenerContext& ctx) {
        {
          std::lock_guard lock(mutex);
          largest = std::max(largest, ctx.records.size());
        }
        for (std::size_t i = 0; i < ctx.records.size(); ++i) {
          if (value_of(ctx.records[i]) == "bad") throw BatchListenerFailedException(i, "bad");
          handled.add(value_of(ctx.records[i]));
        }
      },
      [](ContainerProperties& properties) { properties.concurrency = 1; });
  const auto& properties = container->properties();
  EXPECT_EQ(properties.topics, std::vector<std::string>{topic});
  EXPECT_EQ(properties.group_id, group) << "per-call group overrides the default";
  EXPECT_EQ(properties.ack_mode, AckMode::count) << "default kept";
  EXPECT_EQ(properties.max_poll_records, 2u) << "default kept";
  EXPECT_EQ(properties.concurrency, 1) << "customizer overrides the default";
  container->start();
  ASSERT_TRUE(await_until([&] { return handled.size() == 4; }, scaled(30s)));
  container->stop();
  EXPECT_EQ(handled.snapshot(), (std::vector<std::string>{"a", "c", "d", "e"}));
  EXPECT_EQ(recovered.snapshot(), std::vector<std::string>{"bad"}) << "the factory's handler";
  EXPECT_LE(largest, 2u) << "the factory's max_poll_records";
  EXPECT_EQ(committed_offset(group, topic), 5);
  EXPECT_THROW(factory.create(
                   {}, group, [](const ListenerContext&) {},
                   [](ContainerProperties& p) { p.concurrency = 0; }),
               klab::KafkaException);
}

TEST(BatchListenerOnBroker, GracefulStopCommitsExactlyTheBatchesHandedToTheListener) {
  auto topic = unique_name("batch-stop");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 10));
  auto group = unique_name("g");
  StringLog seen;
  std::atomic<int> batches{0};
  ConcurrentListenerContainer* self = nullptr;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .max_poll_records = 3},
      [&](const BatchListenerContext& ctx) {
        for (const auto& record : ctx.records) seen.add(value_of(record));
        if (++batches == 2) {
          // Hold the second batch until stop() has asked the threads to end.
          await_until([&] { return !self->running(); }, scaled(30s), 10ms);
        }
      });
  self = &container;
  container.start();
  ASSERT_TRUE(await_until([&] { return batches >= 2; }, scaled(30s)));
  container.stop();

  EXPECT_EQ(batches, 2) << "no batch handed out after stop";
  auto values = seen.snapshot();
  ASSERT_LT(values.size(), 10u);
  EXPECT_EQ(values, numbered_values(0, static_cast<int>(values.size()))) << "in order, once";
  EXPECT_EQ(committed_offset(group, topic), static_cast<std::int64_t>(values.size()))
      << "exactly the records of the two batches";
}

}  // namespace
