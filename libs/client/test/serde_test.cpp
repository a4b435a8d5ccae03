// Serdes and TypedProducer: typed values become bytes, and every way that can fail comes back as
// an Error (never an exception, never a half-sent record). No broker needed.
#include "klab/client/serde.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "klab/client/json_serde.hpp"
#include "klab/client/result.hpp"
#include "klab/client/typed_producer.hpp"

namespace shop {

// What a lesson would send: a user-defined struct with its own validation in to_json.
struct Order {
  std::string id;
  long amount_cents = 0;
  std::string currency;
  friend bool operator==(const Order&, const Order&) = default;
};

void to_json(nlohmann::json& j, const Order& o) {
  // Refusing here keeps an invalid order out of the topic, where every consumer would trip on it.
  if (o.amount_cents < 0)
    throw std::invalid_argument("order " + o.id + ": negative amount " +
                                std::to_string(o.amount_cents));
  j = nlohmann::json{{"id", o.id}, {"amount_cents", o.amount_cents}, {"currency", o.currency}};
}

void from_json(const nlohmann::json& j, Order& o) {
  j.at("id").get_to(o.id);
  j.at("amount_cents").get_to(o.amount_cents);
  j.at("currency").get_to(o.currency);
}

}  // namespace shop

namespace {
using namespace std::chrono_literals;
using klab::Error;
using klab::KafkaException;
using klab::client::BytesSerde;
using klab::client::Config;
using klab::client::default_serde_t;
using klab::client::DeliveryReport;
using klab::client::Deserializer;
using klab::client::JsonSerde;
using klab::client::PersistenceStatus;
using klab::client::Result;
using klab::client::Serializer;
using klab::client::StringSerde;
using klab::client::TypedProducer;
using shop::Order;
using testing::HasSubstr;

static_assert(Serializer<StringSerde, std::string> && Deserializer<StringSerde, std::string>);
static_assert(Serializer<BytesSerde, std::vector<std::byte>> &&
              Deserializer<BytesSerde, std::vector<std::byte>>);
static_assert(Serializer<JsonSerde<Order>, Order> && Deserializer<JsonSerde<Order>, Order>);
static_assert(!Serializer<StringSerde, Order>, "a serde only serializes its own type");
static_assert(std::is_same_v<default_serde_t<std::string>, StringSerde>);
static_assert(std::is_same_v<default_serde_t<std::vector<std::byte>>, BytesSerde>);
static_assert(std::is_same_v<default_serde_t<Order>, JsonSerde<Order>>);

// deserialize_value/_key need a consumed Record, which only a consumer can make; instantiating
// them here at least checks they compile for the library's serdes.
[[maybe_unused]] Result<Order> order_of(const klab::client::Record& r) {
  return klab::client::deserialize_value<Order>(r);
}
[[maybe_unused]] Result<std::string> key_of(const klab::client::Record& r) {
  return klab::client::deserialize_key<std::string>(r);
}

// A producer that never reaches a broker: nothing it is given may be queued in these tests.
// The refused connection is expected, so its log lines and error events are silenced.
Config unreachable() {
  Config c;
  c.bootstrap_servers("127.0.0.1:1").log_level(0).error_handler([](const Error&) {});
  return c;
}

// outq_len() also counts error events ("Connection refused", "1/1 brokers are down") until the
// poll thread serves them, so one look can see 1 with no record queued. A queued record cannot
// leave (no broker, message.timeout.ms is 5 minutes), so reaching 0 proves nothing was queued.
bool queue_empties(klab::client::Producer& producer) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (producer.outq_len() > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(Result, HoldsAValueOrAnErrorButNeverBoth) {
  Result<int> good = 7;
  EXPECT_TRUE(good.ok());
  EXPECT_TRUE(good);
  EXPECT_EQ(good.value(), 7);
  EXPECT_TRUE(good.error().ok()) << "no error when ok";

  Result<int> bad = Error(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, "nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad);
  EXPECT_EQ(bad.error(), RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
}

TEST(Result, ValueOfAnErrorThrowsKafkaExceptionCarryingIt) {
  auto bad = Result<int>::failure(Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION, "bad bytes"));
  try {
    (void)bad.value();
    FAIL() << "value() of an error must throw";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
    EXPECT_EQ(e.error().message(), "bad bytes");
  }
}

TEST(Result, FailureWithoutAnErrorBecomesInvalidArg) {
  auto r = Result<int>::failure(Error());
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__INVALID_ARG);
}

TEST(Serde, StringRoundTripsBytesUnchanged) {
  StringSerde serde;
  std::string text("caf\xc3\xa9\0\xff", 7);  // valid UTF-8, a NUL and a stray byte: all kept
  auto bytes = serde.serialize(text);
  ASSERT_TRUE(bytes) << bytes.error();
  EXPECT_EQ(bytes.value(), text);
  auto back = serde.deserialize(std::string_view(bytes.value()));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back.value(), text);
}

TEST(Serde, StringDeserializerRejectsANullValue) {
  auto r = StringSerde{}.deserialize(std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
  EXPECT_THAT(r.error().message(), HasSubstr("null"));
  auto empty = StringSerde{}.deserialize(std::string_view());
  ASSERT_TRUE(empty) << "empty is not null";
  EXPECT_EQ(empty.value(), "");
}

TEST(Serde, BytesRoundTripEveryByteValue) {
  std::vector<std::byte> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
  BytesSerde serde;
  auto bytes = serde.serialize(all);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes.value().size(), 256u);
  auto back = serde.deserialize(std::string_view(bytes.value()));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), all);
  EXPECT_EQ(serde.deserialize(std::nullopt).error(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
}

TEST(Serde, JsonRoundTripsAUserDefinedStruct) {
  JsonSerde<Order> serde;
  Order order{"o-1", 1250, "KRW"};
  auto bytes = serde.serialize(order);
  ASSERT_TRUE(bytes) << bytes.error();
  EXPECT_EQ(bytes.value(), R"({"amount_cents":1250,"currency":"KRW","id":"o-1"})");
  auto back = serde.deserialize(std::string_view(bytes.value()));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back.value(), order);
}

TEST(Serde, JsonSerializationFailureIsAValueSerializationError) {
  // JSON text must be UTF-8; nlohmann refuses to dump a lone 0xFF (type_error.316).
  auto r = JsonSerde<std::string>{}.serialize(std::string("ab\xff"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
  EXPECT_THAT(r.error().message(), HasSubstr("type_error.316"));
}

TEST(Serde, JsonUserValidationFailureIsAValueSerializationError) {
  auto r = JsonSerde<Order>{}.serialize(Order{"o-2", -5, "KRW"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
  EXPECT_THAT(r.error().message(), HasSubstr("order o-2: negative amount -5"));
}

TEST(Serde, JsonDeserializationOfNonJsonReportsTheParseErrorAndTheInput) {
  auto r = JsonSerde<Order>{}.deserialize(std::string_view("not json\x01"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
  EXPECT_THAT(r.error().message(), HasSubstr("parse_error"));
  EXPECT_THAT(r.error().message(), HasSubstr("input: not json\\x01"));
}

TEST(Serde, JsonDeserializationOfTheWrongShapeIsAValueDeserializationError) {
  auto r = JsonSerde<Order>{}.deserialize(std::string_view(R"({"id":"o-3"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
  EXPECT_THAT(r.error().message(), HasSubstr("amount_cents"));  // nlohmann names the key
}

TEST(Serde, JsonReadsNullBytesAsJsonNull) {
  auto as_json = JsonSerde<nlohmann::json>{}.deserialize(std::nullopt);
  ASSERT_TRUE(as_json) << as_json.error();
  EXPECT_TRUE(as_json.value().is_null());
  auto as_order = JsonSerde<Order>{}.deserialize(std::nullopt);
  ASSERT_FALSE(as_order) << "an Order needs an object";
  EXPECT_THAT(as_order.error().message(), HasSubstr("input: null"));
}

TEST(Serde, LongBinaryInputIsCutAndEscapedInTheMessage) {
  std::string input(200, '\x80');
  auto r = JsonSerde<Order>{}.deserialize(std::string_view(input));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("\\x80\\x80"));
  EXPECT_THAT(r.error().message(), HasSubstr("... (200 bytes)"));
}

TEST(Serde, KeyErrorIsRelabelledKeepingItsMessage) {
  auto key = klab::client::as_key_error(Error(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, "boom"));
  EXPECT_EQ(key, RD_KAFKA_RESP_ERR__KEY_SERIALIZATION);
  EXPECT_EQ(key.message(), "key: boom");
  EXPECT_EQ(klab::client::as_key_error(Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION, "x")),
            RD_KAFKA_RESP_ERR__KEY_DESERIALIZATION);
  EXPECT_TRUE(klab::client::as_key_error(Error()).ok());
}

TEST(TypedProducer, SerializeTurnsTheTypedRecordIntoBytes) {
  TypedProducer<std::string, Order> producer(unreachable());
  auto raw = producer.serialize({.topic = "orders",
                                 .partition = 2,
                                 .key = "o-1",
                                 .value = Order{"o-1", 100, "USD"},
                                 .headers = {{"trace", "t1"}},
                                 .timestamp = 1700000000000});
  ASSERT_TRUE(raw) << raw.error();
  EXPECT_EQ(raw.value().topic, "orders");
  EXPECT_EQ(raw.value().partition, 2);
  EXPECT_EQ(raw.value().key, "o-1") << "a std::string key is sent as is, not as JSON";
  EXPECT_EQ(raw.value().value, R"({"amount_cents":100,"currency":"USD","id":"o-1"})");
  EXPECT_EQ(raw.value().headers.size(), 1u);
  EXPECT_EQ(raw.value().timestamp, 1700000000000);

  auto tombstone = producer.serialize({.topic = "orders", .key = "o-1"});
  ASSERT_TRUE(tombstone);
  EXPECT_FALSE(tombstone.value().value.has_value()) << "no value is a null value, not \"null\"";
}

TEST(TypedProducer, SerializationFailureReturnsAnErrorAndQueuesNothing) {
  TypedProducer<std::string, Order> producer(unreachable());
  std::atomic<int> callbacks{0};
  auto err = producer.send({.topic = "orders", .key = "o-9", .value = Order{"o-9", -1, "EUR"}},
                           [&](const DeliveryReport&) { ++callbacks; });
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
  EXPECT_THAT(err.message(), HasSubstr("negative amount"));
  EXPECT_TRUE(queue_empties(producer.raw()));
  EXPECT_TRUE(producer.flush(1s).ok()) << "flush serves every report there is";
  EXPECT_EQ(callbacks.load(), 0) << "a record that was never queued gets no report";
}

TEST(TypedProducer, SendSyncReportsASerializationFailureWithoutThrowing) {
  TypedProducer<std::string, Order> producer(unreachable());
  DeliveryReport report;
  ASSERT_NO_THROW(report = producer.send_sync(
                      {.topic = "orders", .partition = 1, .value = Order{"o-8", -3, "EUR"}}, 1s));
  EXPECT_EQ(report.error, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
  EXPECT_EQ(report.status, PersistenceStatus::not_persisted);
  EXPECT_EQ(report.topic, "orders");
  EXPECT_EQ(report.partition, 1);
  EXPECT_TRUE(queue_empties(producer.raw()));
}

TEST(TypedProducer, KeySerializationFailureIsAKeySerializationError) {
  TypedProducer<std::string, Order, JsonSerde<std::string>> producer(unreachable());
  auto err = producer.send({.topic = "orders", .key = "\xff", .value = Order{"o-7", 1, "EUR"}});
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__KEY_SERIALIZATION);
  EXPECT_THAT(err.message(), testing::StartsWith("key: "));
  EXPECT_THAT(err.message(), HasSubstr("type_error.316"));
  EXPECT_TRUE(queue_empties(producer.raw()));
}

}  // namespace
