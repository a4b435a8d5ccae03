// KafkaTemplate without a broker: refusals, serialization failures and what the
// ProducerListener hears about them. Bootstrap points at a closed loopback port.
#include "klab/framework/core/kafka_template.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace {
using namespace std::chrono_literals;
using klab::Error;
using klab::client::Config;
using klab::client::DeliveryReport;
using klab::client::PersistenceStatus;
using klab::client::ProducerRecord;
using klab::framework::KafkaTemplate;
using klab::framework::ProducerListener;

Config unreachable() { return Config().bootstrap_servers("127.0.0.1:1"); }

// nlohmann refuses to dump a string that is not UTF-8, a genuine serialization failure.
const nlohmann::json not_utf8 = std::string("\xff\xfe");

struct Heard {
  std::atomic<int> successes{0};
  std::atomic<int> errors{0};
  Error last_error;
  ProducerRecord last_record;

  ProducerListener listener() {
    return {.on_success = [this](const ProducerRecord&, const DeliveryReport&) { ++successes; },
            .on_error =
                [this](const ProducerRecord& r, const Error& e) {
                  last_record = r;
                  last_error = e;
                  ++errors;
                }};
  }
};

bool is_ready(std::future<DeliveryReport>& f) {
  return f.wait_for(0s) == std::future_status::ready;
}

TEST(KafkaTemplate, ConstructsWithoutReachingABroker) {
  KafkaTemplate<std::string, std::string> kafka(unreachable());
  EXPECT_FALSE(kafka.producer().name().empty());
  EXPECT_TRUE(kafka.default_topic().empty());
}

TEST(KafkaTemplate, SendDefaultWithoutDefaultTopicFailsWithInvalidArg) {
  KafkaTemplate<std::string, std::string> kafka(unreachable());
  Heard heard;
  kafka.set_producer_listener(heard.listener());

  auto future = kafka.send_default("k", "v");
  ASSERT_TRUE(is_ready(future)) << "a refusal needs no broker round trip";
  auto report = future.get();
  EXPECT_EQ(report.error, RD_KAFKA_RESP_ERR__INVALID_ARG) << report.error.to_string();
  EXPECT_EQ(report.status, PersistenceStatus::not_persisted);
  EXPECT_EQ(heard.errors, 1);
  EXPECT_EQ(heard.successes, 0);
}

TEST(KafkaTemplate, ValueSerializationFailureIsAReadyFutureAndOneOnError) {
  KafkaTemplate<std::string, nlohmann::json> kafka(unreachable());
  Heard heard;
  kafka.set_producer_listener(heard.listener());

  auto future = kafka.send("orders", "k1", not_utf8);
  ASSERT_TRUE(is_ready(future));
  auto report = future.get();
  EXPECT_EQ(report.error, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION) << report.error.to_string();
  EXPECT_EQ(report.status, PersistenceStatus::not_persisted);
  EXPECT_EQ(report.topic, "orders");

  // With no broker a queued record could never flush, so a clean flush proves none was.
  EXPECT_FALSE(kafka.flush(1s)) << "nothing outstanding to flush";
  EXPECT_EQ(heard.errors, 1);
  EXPECT_EQ(heard.successes, 0);
  EXPECT_EQ(heard.last_error, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
  EXPECT_EQ(heard.last_record.topic, "orders");
  EXPECT_EQ(heard.last_record.key, "k1") << "the key did serialize";
  EXPECT_FALSE(heard.last_record.value.has_value());
}

TEST(KafkaTemplate, KeySerializationFailureIsReturnedAndTheCallbackNeverRuns) {
  KafkaTemplate<nlohmann::json, std::string> kafka(unreachable());
  Heard heard;
  kafka.set_producer_listener(heard.listener());
  std::atomic<int> callbacks{0};

  auto err = kafka.send("orders", not_utf8, "v", [&](const DeliveryReport&) { ++callbacks; });
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__KEY_SERIALIZATION) << err.to_string();
  EXPECT_FALSE(kafka.flush(1s));
  EXPECT_EQ(callbacks, 0);
  EXPECT_EQ(heard.errors, 1);
  EXPECT_EQ(heard.last_error, RD_KAFKA_RESP_ERR__KEY_SERIALIZATION);
}

TEST(KafkaTemplate, AThrowingListenerDoesNotLoseTheOutcome) {
  KafkaTemplate<std::string, nlohmann::json> kafka(unreachable());
  kafka.set_producer_listener(
      {.on_error = [](const ProducerRecord&, const Error&) { throw std::runtime_error("boom"); }});
  auto future = kafka.send("orders", std::nullopt, not_utf8);
  ASSERT_TRUE(is_ready(future));
  EXPECT_EQ(future.get().error, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
}

TEST(KafkaTemplate, UndeliverableRecordCompletesTheFutureAndTellsTheListenerOnce) {
  KafkaTemplate<std::string, std::string> kafka(unreachable().message_timeout_ms(200));
  Heard heard;
  kafka.set_producer_listener(heard.listener());
  kafka.set_default_topic("nowhere");

  auto future = kafka.send_default("k", "v");
  ASSERT_EQ(future.wait_for(30s), std::future_status::ready);
  auto report = future.get();
  EXPECT_EQ(report.error, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) << report.error.to_string();
  EXPECT_EQ(heard.errors, 1) << "the listener ran before the future completed";
  EXPECT_EQ(heard.successes, 0);
  EXPECT_EQ(heard.last_record.value, "v") << "the listener sees the serialized record";
}

TEST(KafkaTemplate, ExecuteInTransactionWithoutTransactionalIdIsNotConfigured) {
  KafkaTemplate<std::string, std::string> kafka(unreachable());
  bool ran = false;
  auto err = kafka.execute_in_transaction([&](auto&) { ran = true; }, 5s);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__NOT_CONFIGURED) << err.to_string();
  EXPECT_FALSE(ran) << "no transaction, so the block never runs";
}

}  // namespace
