// RoutingKafkaTemplate: the topic picks the route (first matching pattern), each route has its
// own producer and serializers, and a topic without a route is refused naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <string>

#include "klab/client/serde.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/core/routing_kafka_template.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::Error;
using klab::client::DeliveryReport;
using klab::client::ProducerRecord;
using klab::cluster::scaled;
using klab::framework::ProducerListener;
using klab::framework::RoutingKafkaTemplate;
using klab::testing::cluster;
using klab::testing::HasValue;
using klab::testing::unique_name;
using ::testing::HasSubstr;

struct Reading {
  std::string sensor;
  int celsius = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reading, sensor, celsius)

// A second wire format for the same type: "sensor,celsius".
struct CsvSerde {
  klab::client::Result<std::string> serialize(const Reading& r) const {
    return r.sensor + "," + std::to_string(r.celsius);
  }
};

using Router = RoutingKafkaTemplate<std::string, Reading>;

// Topics whose name contains "-csv-" get CSV, everything else JSON.
void add_two_routes(Router& router) {
  router.add_route<klab::client::StringSerde, CsvSerde>(".*-csv-.*",
                                                        cluster().client_config().client_id("csv"));
  router.add_route(".*", cluster().client_config().client_id("json"));
}

TEST(RoutingKafkaTemplate, EachTopicIsSerializedByTheFirstRouteItMatches) {
  auto csv_topic = unique_name("csv");
  auto json_topic = unique_name("json");
  klab::testing::create_topic(csv_topic, 1, 1);
  klab::testing::create_topic(json_topic, 1, 1);
  Router router;
  add_two_routes(router);
  ASSERT_EQ(router.route_count(), 2u);
  EXPECT_EQ(router.route_for(csv_topic), ".*-csv-.*");
  EXPECT_EQ(router.route_for(json_topic), ".*");

  auto a = router.send(csv_topic, "s1", Reading{"s1", 21}).get();
  auto b = router.send(json_topic, "s1", Reading{"s1", 21}).get();
  ASSERT_FALSE(a.error) << a.error.to_string();
  ASSERT_FALSE(b.error) << b.error.to_string();

  auto csv = klab::testing::consume_until(cluster().client_config(), csv_topic, 1, 30s);
  auto json = klab::testing::consume_until(cluster().client_config(), json_topic, 1, 30s);
  ASSERT_EQ(csv.size(), 1u);
  ASSERT_EQ(json.size(), 1u);
  EXPECT_THAT(csv[0], HasValue("s1,21"));
  EXPECT_THAT(json[0], HasValue(R"({"celsius":21,"sensor":"s1"})"));
  std::cout << "[routing] " << csv_topic << " <- " << *csv[0].value() << " | " << json_topic
            << " <- " << *json[0].value() << '\n';
}

TEST(RoutingKafkaTemplate, EachRouteHasItsOwnProducer) {
  Router router;
  add_two_routes(router);
  auto& csv = router.producer_for("x-csv-1");
  auto& json = router.producer_for("x-json-1");
  EXPECT_NE(&csv, &json);
  EXPECT_THAT(csv.name(), ::testing::StartsWith("csv"));
  EXPECT_THAT(json.name(), ::testing::StartsWith("json"));
}

TEST(RoutingKafkaTemplate, RoutesAreTriedInTheOrderTheyWereAdded) {
  Router router;
  // A catch-all first shadows every later route.
  router.add_route(".*", cluster().client_config());
  router.add_route<klab::client::StringSerde, CsvSerde>(".*-csv-.*", cluster().client_config());
  EXPECT_EQ(router.route_for("x-csv-1"), ".*");
  // The pattern must match the whole name, as Java's Pattern.matches.
  Router strict;
  strict.add_route("orders", cluster().client_config());
  EXPECT_EQ(strict.route_for("orders"), "orders");
  EXPECT_EQ(strict.route_for("orders.DLT"), std::nullopt);
}

TEST(RoutingKafkaTemplate, TopicWithoutARouteIsRefusedNamingTheTopic) {
  Router router;
  router.add_route<klab::client::StringSerde, CsvSerde>("metrics\\..*", cluster().client_config());
  std::atomic<int> errors{0};
  std::string listener_topic;
  router.set_producer_listener({.on_success = [](const ProducerRecord&, const DeliveryReport&) {},
                                .on_error =
                                    [&](const ProducerRecord& r, const Error&) {
                                      ++errors;
                                      listener_topic = r.topic;
                                    }});

  auto report = router.send("orders", "k", Reading{"s", 1}).get();
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_THAT(report.error.to_string(), HasSubstr("'orders'"));
  EXPECT_THAT(report.error.to_string(), HasSubstr("metrics\\..*"));
  EXPECT_EQ(report.status, klab::client::PersistenceStatus::not_persisted);

  std::atomic<int> callbacks{0};
  auto err = router.send(Router::Record{.topic = "orders", .value = Reading{"s", 1}},
                         [&](const DeliveryReport&) { ++callbacks; });
  EXPECT_EQ(err.code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_EQ(callbacks.load(), 0);
  EXPECT_EQ(errors.load(), 2);
  EXPECT_EQ(listener_topic, "orders");
  try {
    router.producer_for("orders");
    ADD_FAILURE() << "expected a KafkaException";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_THAT(e.what(), HasSubstr("'orders'"));
  }
}

TEST(RoutingKafkaTemplate, EmptyOrInvalidPatternIsRejectedNamingIt) {
  Router router;
  for (std::string bad : {"(unclosed", "[z-a]", ""}) {
    try {
      router.add_route(bad, cluster().client_config());
      ADD_FAILURE() << "pattern '" << bad << "' was accepted";
    } catch (const klab::KafkaException& e) {
      EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
      if (!bad.empty()) {
        EXPECT_THAT(e.what(), HasSubstr(bad));
      }
    }
  }
  EXPECT_EQ(router.route_count(), 0u);
}

TEST(RoutingKafkaTemplate, ProducerListenerHearsEverySendOfEveryRouteOnce) {
  auto csv_topic = unique_name("csv");
  auto json_topic = unique_name("json");
  klab::testing::create_topic(csv_topic, 1, 1);
  klab::testing::create_topic(json_topic, 1, 1);
  Router router;
  std::atomic<int> successes{0};
  std::atomic<int> errors{0};
  add_two_routes(router);  // the listener set afterwards reaches routes added before
  router.set_producer_listener(
      {.on_success = [&](const ProducerRecord&, const DeliveryReport&) { ++successes; },
       .on_error = [&](const ProducerRecord&, const Error&) { ++errors; }});
  constexpr int count = 10;
  std::atomic<int> callbacks{0};
  for (int i = 0; i < count; ++i) {
    (void)router.send(csv_topic, "k", Reading{"s", i});
    ASSERT_FALSE(router.send(Router::Record{.topic = json_topic, .value = Reading{"s", i}},
                             [&](const DeliveryReport&) { ++callbacks; }));
  }
  ASSERT_FALSE(router.flush(scaled(30s)));
  EXPECT_EQ(successes.load(), 2 * count);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(callbacks.load(), count);
}

}  // namespace
