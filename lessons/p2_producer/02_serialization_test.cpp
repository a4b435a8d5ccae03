// 2.1 Serialization: a typed producer turns keys and values into bytes with a Serializer, a
// consumer turns them back with a Deserializer. Kafka itself only ever sees bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/serde.hpp"
#include "klab/client/typed_producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

// The lesson's own event type, serialized as JSON through nlohmann's to_json/from_json.
struct Order {
  std::string id;
  long amount_cents = 0;
  std::string currency;
  friend bool operator==(const Order&, const Order&) = default;
};

void to_json(nlohmann::json& j, const Order& o) {
  // Validation at the edge: a negative amount must never reach the topic.
  if (o.amount_cents < 0) throw std::invalid_argument("amount_cents is negative");
  j = {{"id", o.id}, {"amount_cents", o.amount_cents}, {"currency", o.currency}};
}
void from_json(const nlohmann::json& j, Order& o) {
  j.at("id").get_to(o.id);
  j.at("amount_cents").get_to(o.amount_cents);
  j.at("currency").get_to(o.currency);
}

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::client::JsonSerde;
using klab::client::StringSerde;
using klab::client::TypedProducer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

using OrderProducer = TypedProducer<std::string, Order, StringSerde, JsonSerde<Order>>;

std::vector<klab::client::Record> read_all(const std::string& topic, std::size_t n) {
  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  return klab::testing::consume_n(consumer, n, 30s);
}

TEST(P2Serialization, StringSerializerRoundTripsTextIncludingKorean) {
  KLAB_ROADMAP("2.1.2");
  auto topic = unique_name("text");
  klab::testing::create_topic(topic, 1, 1);
  TypedProducer<std::string, std::string, StringSerde, StringSerde> producer(
      cluster().client_config());
  auto report =
      producer.send_sync({.topic = topic, .key = "k", .value = "주문 접수됨"}, scaled(30s));
  ASSERT_FALSE(report.error) << report.error.to_string();

  auto got = read_all(topic, 1);
  ASSERT_EQ(got.size(), 1u);
  auto value = klab::client::deserialize_value<std::string>(got[0], StringSerde{});
  ASSERT_TRUE(value.ok()) << value.error().to_string();
  EXPECT_EQ(value.value(), "주문 접수됨");
  EXPECT_EQ(got[0].value()->size(), std::string("주문 접수됨").size()) << "UTF-8 bytes as is";
}

TEST(P2Serialization, JsonSerializerRoundTripsAUserDefinedStruct) {
  KLAB_ROADMAP("2.1.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 1, 1);
  OrderProducer producer(cluster().client_config());
  Order sent{.id = "o-1001", .amount_cents = 125000, .currency = "KRW"};
  auto report = producer.send_sync({.topic = topic, .key = sent.id, .value = sent}, scaled(30s));
  ASSERT_FALSE(report.error) << report.error.to_string();

  auto got = read_all(topic, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(*got[0].value()),
            nlohmann::json({{"id", "o-1001"}, {"amount_cents", 125000}, {"currency", "KRW"}}))
      << "on the wire it is plain JSON any client can read";
  auto order = klab::client::deserialize_value<Order>(got[0], JsonSerde<Order>{});
  ASSERT_TRUE(order.ok()) << order.error().to_string();
  EXPECT_EQ(order.value(), sent);
}

TEST(P2Serialization, SerializationFailureReturnsAnErrorAndSendsNothing) {
  KLAB_ROADMAP("2.1.2");
  auto topic = unique_name("invalid");
  klab::testing::create_topic(topic, 1, 1);
  OrderProducer producer(cluster().client_config());
  bool called = false;
  auto err = producer.send({.topic = topic, .key = "o-1", .value = Order{"o-1", -5, "KRW"}},
                           [&](const klab::client::DeliveryReport&) { called = true; });
  EXPECT_EQ(err.code(), RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION) << err.to_string();
  EXPECT_NE(err.to_string().find("negative"), std::string::npos) << err.to_string();
  ASSERT_FALSE(producer.flush(scaled(10s)));
  EXPECT_FALSE(called) << "nothing was queued, so no delivery report either";
  klab::client::Admin admin(cluster().client_config());
  EXPECT_EQ(admin.watermark_offsets(topic, 0, scaled(10s)).high, 0);
}

TEST(P2Serialization, DeserializingBytesOfTheWrongShapeIsAnErrorNotACrash) {
  KLAB_ROADMAP("2.1.2");
  auto topic = unique_name("mixed");
  klab::testing::create_topic(topic, 1, 1);
  // A producer that knows nothing of Order writes text into the same topic.
  TypedProducer<std::string, std::string, StringSerde, StringSerde> text(cluster().client_config());
  ASSERT_FALSE(text.send_sync({.topic = topic, .value = "not json"}, scaled(30s)).error);
  ASSERT_FALSE(text.send_sync({.topic = topic, .value = R"({"id":"o-2"})"}, scaled(30s)).error);

  auto got = read_all(topic, 2);
  ASSERT_EQ(got.size(), 2u);
  auto a = klab::client::deserialize_value<Order>(got[0], JsonSerde<Order>{});
  auto b = klab::client::deserialize_value<Order>(got[1], JsonSerde<Order>{});
  EXPECT_EQ(a.error().code(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION) << "not JSON at all";
  EXPECT_EQ(b.error().code(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION) << "JSON, missing fields";
}

}  // namespace
