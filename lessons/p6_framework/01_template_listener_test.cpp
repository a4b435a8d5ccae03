// 6.1 The framework's two halves: KafkaTemplate (and RoutingKafkaTemplate) to send,
// ConcurrentListenerContainer to receive - Spring's KafkaTemplate and @KafkaListener.
//
// "The dependency": in Spring you add spring-kafka to the build; here a CMake target links
//   target_link_libraries(my_app PRIVATE klab::framework)
// which brings klab::client and librdkafka along (this binary does exactly that, see
// lessons/p6_framework/CMakeLists.txt). The only thing the code needs is a client Config.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "klab/cluster/await.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/framework/core/routing_kafka_template.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::Error;
using klab::client::DeliveryReport;
using klab::client::ProducerRecord;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::KafkaTemplate;
using klab::framework::ListenerContext;
using klab::framework::ProducerListener;
using klab::framework::RoutingKafkaTemplate;
using klab::testing::AtOffset;
using klab::testing::cluster;
using klab::testing::consumer_config;
using klab::testing::HasKey;
using klab::testing::HasValue;
using klab::testing::unique_name;
using ::testing::AllOf;

using StringTemplate = KafkaTemplate<std::string, std::string>;

TEST(P6Setup, TemplateToListenerRoundTripNeedsNothingButAConfig) {
  KLAB_ROADMAP("6.1.1");
  auto topic = unique_name("hello");
  klab::testing::create_topic(topic, 1, 1);
  klab::client::Config config = cluster().client_config();  // bootstrap.servers, nothing else

  StringTemplate kafka(config);
  std::mutex mutex;
  std::vector<std::string> received;
  auto group = unique_name("g");
  ConcurrentListenerContainer container(klab::testing::consumer_config(config, group),
                                        {.topics = {topic}, .group_id = group},
                                        [&](const ListenerContext& ctx) {
                                          std::lock_guard lock(mutex);
                                          received.emplace_back(ctx.record.value().value_or(""));
                                        });
  container.start();
  for (auto v : {"one", "two", "three"}) ASSERT_FALSE(kafka.send(topic, "k", v).get().error);
  ASSERT_TRUE(await_until(
      [&] {
        std::lock_guard lock(mutex);
        return received.size() >= 3;
      },
      scaled(30s)));
  container.stop();
  std::cout << "[6.1.1] bootstrap " << config.get("bootstrap.servers").value_or("?")
            << ": template -> container round trip of " << received.size() << " records\n";
  EXPECT_EQ(received, (std::vector<std::string>{"one", "two", "three"}));
}

TEST(P6KafkaTemplate, FutureCallbackAndDefaultTopicSendsAllLandInOrder) {
  KLAB_ROADMAP("6.1.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 1, 1);
  StringTemplate kafka(cluster().client_config().acks("all"));
  kafka.set_default_topic(topic);

  auto by_future = kafka.send(topic, "k1", "future").get();  // Spring: send(...).get()
  ASSERT_FALSE(by_future.error) << by_future.error.to_string();
  std::promise<DeliveryReport> heard;
  ASSERT_FALSE(
      kafka.send(topic, "k2", "callback", [&](const DeliveryReport& r) { heard.set_value(r); }));
  auto by_callback = heard.get_future().get();                  // Spring: whenComplete(...)
  auto by_default = kafka.send_default("k3", "default").get();  // Spring: sendDefault(...)
  std::cout << "[6.1.2] future@" << by_future.offset << " callback@" << by_callback.offset
            << " default@" << by_default.offset << '\n';
  EXPECT_EQ(by_future.offset, 0);
  EXPECT_EQ(by_callback.offset, 1);
  EXPECT_EQ(by_default.offset, 2);
  EXPECT_EQ(by_default.topic, topic);

  auto records = klab::testing::consume_until(cluster().client_config(), topic, 3, 30s);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_THAT(records[0], AllOf(HasKey("k1"), HasValue("future"), AtOffset(0)));
  EXPECT_THAT(records[1], AllOf(HasKey("k2"), HasValue("callback"), AtOffset(1)));
  EXPECT_THAT(records[2], AllOf(HasKey("k3"), HasValue("default"), AtOffset(2)));
}

TEST(P6KafkaTemplate, SendDefaultWithoutADefaultTopicIsRefused) {
  KLAB_ROADMAP("6.1.2");
  StringTemplate kafka(cluster().client_config());
  auto report = kafka.send_default("k", "v").get();
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_THAT(report.error.to_string(), ::testing::HasSubstr("default topic"));
}

TEST(P6KafkaTemplate, ProducerListenerHearsExactlyOneOutcomePerSend) {
  KLAB_ROADMAP("6.1.2");
  auto topic = unique_name("audited");
  klab::testing::create_topic(topic, 3, 1);
  StringTemplate kafka(cluster().client_config());
  std::atomic<int> successes{0};
  std::atomic<int> errors{0};
  kafka.set_producer_listener(
      {.on_success = [&](const ProducerRecord&, const DeliveryReport&) { ++successes; },
       .on_error = [&](const ProducerRecord&, const Error&) { ++errors; }});
  constexpr int good = 50;
  for (int i = 0; i < good; ++i) (void)kafka.send(topic, "k" + std::to_string(i), "v");
  (void)kafka.send_default("k", "no default topic");  // refused: one on_error
  ASSERT_FALSE(kafka.flush(scaled(30s)));
  std::cout << "[6.1.2] ProducerListener: on_success " << successes << ", on_error " << errors
            << " for " << good + 1 << " sends\n";
  EXPECT_EQ(successes.load(), good);
  EXPECT_EQ(errors.load(), 1);
}

struct Payment {
  std::string id;
  int cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Payment, id, cents)

// The legacy system downstream of "*-ledger-*" topics reads "id;cents".
struct LegacySerde {
  klab::client::Result<std::string> serialize(const Payment& p) const {
    return p.id + ";" + std::to_string(p.cents);
  }
};

TEST(P6KafkaTemplate, RoutingTemplateSendsTwoTopicPatternsThroughTwoSerializers) {
  KLAB_ROADMAP("6.1.2");
  auto ledger_topic = unique_name("ledger");
  auto events_topic = unique_name("events");
  klab::testing::create_topic(ledger_topic, 1, 1);
  klab::testing::create_topic(events_topic, 1, 1);
  RoutingKafkaTemplate<std::string, Payment> router;
  router.add_route<klab::client::StringSerde, LegacySerde>(".*-ledger-.*",
                                                           cluster().client_config());
  router.add_route(".*-events-.*", cluster().client_config().acks("all"));  // JSON

  ASSERT_FALSE(router.send(ledger_topic, "p1", Payment{"p1", 1250}).get().error);
  ASSERT_FALSE(router.send(events_topic, "p1", Payment{"p1", 1250}).get().error);
  auto unrouted = router.send("payments", "p1", Payment{"p1", 1250}).get();

  auto legacy = klab::testing::consume_until(cluster().client_config(), ledger_topic, 1, 30s);
  auto json = klab::testing::consume_until(cluster().client_config(), events_topic, 1, 30s);
  ASSERT_EQ(legacy.size(), 1u);
  ASSERT_EQ(json.size(), 1u);
  std::cout << "[6.1.2] routed: *-ledger-* -> " << *legacy[0].value() << " | *-events-* -> "
            << *json[0].value() << " | 'payments' -> " << unrouted.error.to_string() << '\n';
  EXPECT_THAT(legacy[0], HasValue("p1;1250"));
  EXPECT_THAT(json[0], HasValue(R"({"cents":1250,"id":"p1"})"));
  EXPECT_EQ(unrouted.error.code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_THAT(unrouted.error.to_string(), ::testing::HasSubstr("'payments'"));
}

TEST(P6KafkaListener, ListenerOfAGroupReceivesEveryRecordExactlyOnce) {
  KLAB_ROADMAP("6.1.3");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  constexpr int count = 60;
  StringTemplate kafka(cluster().client_config());
  for (int i = 0; i < count; ++i)
    (void)kafka.send(topic, "k" + std::to_string(i % 7), "order-" + std::to_string(i));
  ASSERT_FALSE(kafka.flush(scaled(30s)));

  std::mutex mutex;
  std::map<std::string, int> times;
  std::atomic<int> total{0};
  auto group = unique_name("billing");
  ConcurrentListenerContainer container(consumer_config(cluster().client_config(), group),
                                        {.topics = {topic}, .group_id = group, .concurrency = 2},
                                        [&](const ListenerContext& ctx) {
                                          std::lock_guard lock(mutex);
                                          ++times[std::string(ctx.record.value().value_or(""))];
                                          ++total;
                                        });
  container.start();
  ASSERT_TRUE(await_until([&] { return total.load() >= count; }, scaled(30s)));
  container.stop();
  std::cout << "[6.1.3] " << total << " deliveries, " << times.size() << " distinct records\n";
  EXPECT_EQ(total.load(), count);
  EXPECT_EQ(times.size(), static_cast<std::size_t>(count));
  for (const auto& [value, n] : times) EXPECT_EQ(n, 1) << value;
}

TEST(P6KafkaListener, TopicPatternListenerReadsEveryMatchingTopicAlsoOneCreatedLater) {
  KLAB_ROADMAP("6.1.3");
  // @KafkaListener(topicPattern = "<prefix>\\.(a|b)"): the twin of the Spring lesson.
  auto prefix = unique_name("pattern");
  std::string escaped;
  for (char c : prefix) escaped += c == '.' ? std::string("\\.") : std::string(1, c);
  klab::testing::create_topic(prefix + ".a", 1, 1);
  klab::testing::create_topic(prefix + ".c", 1, 1);  // exists, does not match
  auto group = unique_name("pattern");
  // A pattern subscription sees a new topic at the next metadata refresh (default 5 min).
  auto config = consumer_config(cluster().client_config(), group);
  config.set("topic.metadata.refresh.interval.ms", "1000");
  std::mutex mutex;
  std::map<std::string, int> topics;
  ConcurrentListenerContainer container(config,
                                        {.topic_pattern = escaped + "\\.(a|b)", .group_id = group},
                                        [&](const ListenerContext& ctx) {
                                          std::lock_guard lock(mutex);
                                          ++topics[std::string(ctx.record.topic())];
                                        });
  container.start();
  StringTemplate kafka(cluster().client_config());
  ASSERT_FALSE(kafka.send(prefix + ".a", "k", "1").get().error);
  ASSERT_FALSE(kafka.send(prefix + ".c", "k", "x").get().error);
  klab::testing::create_topic(prefix + ".b", 1, 1);  // after the listener started
  ASSERT_FALSE(kafka.send(prefix + ".b", "k", "2").get().error);
  auto seen = [&] {
    std::lock_guard lock(mutex);
    return topics;
  };
  ASSERT_TRUE(await_until([&] { return seen().size() >= 2; }, scaled(60s)));
  container.stop();
  std::cout << "[6.1.3] pattern " << escaped << "\\.(a|b): read " << seen().size() << " topics\n";
  EXPECT_EQ(seen(), (std::map<std::string, int>{{prefix + ".a", 1}, {prefix + ".b", 1}}))
      << "the matching topics once each, the created-later one included, never ."
      << "c";
}

TEST(P6KafkaListener, ListenerContextExposesTopicPartitionOffsetKeyAndHeaders) {
  KLAB_ROADMAP("6.1.3");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  StringTemplate kafka(cluster().client_config());
  klab::client::Headers headers;
  headers.add("traceparent", "00-abc-01");
  ASSERT_FALSE(kafka
                   .send({.topic = topic,
                          .partition = 2,
                          .key = "order-7",
                          .value = "created",
                          .headers = headers})
                   .get()
                   .error);

  struct Seen {
    std::string topic;
    int partition = -1;
    std::int64_t offset = -1;
    std::optional<std::string> key;
    std::optional<std::string> trace;
  };
  std::promise<Seen> seen;
  std::atomic<bool> once{false};
  auto group = unique_name("g");
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const ListenerContext& ctx) {
        const auto& r = ctx.record;  // Spring: @Header(KafkaHeaders.RECEIVED_TOPIC) etc.
        const auto* trace = r.headers().last("traceparent");
        if (once.exchange(true)) return;
        seen.set_value({std::string(r.topic()), r.partition(), r.offset(),
                        r.key() ? std::optional<std::string>(*r.key()) : std::nullopt,
                        trace ? trace->value : std::nullopt});
      });
  container.start();
  auto future = seen.get_future();
  ASSERT_EQ(future.wait_for(scaled(30s)), std::future_status::ready);
  container.stop();
  auto got = future.get();
  std::cout << "[6.1.3] context: " << got.topic << '/' << got.partition << '@' << got.offset
            << " key=" << got.key.value_or("null") << " traceparent=" << got.trace.value_or("null")
            << '\n';
  EXPECT_EQ(got.topic, topic);
  EXPECT_EQ(got.partition, 2);
  EXPECT_EQ(got.offset, 0);
  EXPECT_EQ(got.key, "order-7");
  EXPECT_EQ(got.trace, "00-abc-01");
}

}  // namespace
