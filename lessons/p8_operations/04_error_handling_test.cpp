// 8.3.3 Error handling patterns: each kind of error an application meets, caused for real, with
// the flags that decide what to do (retriable, fatal, abort the transaction) and the action.
// The authorization row is in lessons/p8_security (it needs a cluster with an authorizer).
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "klab/client/json_serde.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

void print_row(const char* kind, const klab::Error& e, const char* action) {
  std::cout << "| " << kind << " | " << e.name() << " | retriable " << e.retriable() << " | fatal "
            << e.fatal() << " | abort " << e.txn_requires_abort() << " | " << action << " |\n";
}

TEST(P8ErrorHandling, ABrokerThatDoesNotAnswerInTimeIsRetriableAndAResendLandsOnceItIsBack) {
  KLAB_ROADMAP("8.3.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // pauses the node
  auto topic = unique_name("timeout");
  klab::testing::create_topic(topic, 1, 1);
  klab::client::Producer producer(cluster().client_config().acks("all").delivery_timeout_ms(3000));
  cluster().local().pause_node(1);  // SIGSTOP: alive, silent (a long GC pause)
  auto report = producer.send_sync({.topic = topic, .value = "v"}, scaled(30s));
  cluster().local().resume_node(1);
  print_row("retriable", report.error,
            "retry (the client did until delivery.timeout.ms); then resend or park");
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) << report.error.to_string();
  EXPECT_TRUE(report.error.retriable());
  EXPECT_FALSE(report.error.fatal());
  EXPECT_TRUE(klab::cluster::await_until(
      [&] { return !producer.send_sync({.topic = topic, .value = "v"}, scaled(10s)).error; },
      scaled(60s), 500ms))
      << "the same producer delivers once the broker answers";
}

TEST(P8ErrorHandling, ARecordTheBrokerRefusesIsNotRetriableAndRetryingNeverHelps) {
  KLAB_ROADMAP("8.3.3");
  auto topic = unique_name("too-big");
  klab::testing::create_topic(topic, 1, 1, {{"max.message.bytes", "1024"}});
  klab::client::Producer producer(cluster().client_config().acks("all"));
  auto error =
      producer.send_sync({.topic = topic, .value = std::string(5000, 'x')}, scaled(30s)).error;
  print_row("permanent", error, "do not retry: fix the record or the limit, or dead-letter it");
  EXPECT_EQ(error.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << error.to_string();
  EXPECT_FALSE(error.retriable());
  EXPECT_FALSE(error.fatal());
}

TEST(P8ErrorHandling, AFailedRecordInATransactionRequiresAnAbortAfterWhichTheProducerGoesOn) {
  KLAB_ROADMAP("8.3.3");
  auto topic = unique_name("txn-abort");
  klab::testing::create_topic(topic, 1, 1, {{"max.message.bytes", "1024"}});
  auto config = cluster().client_config().transactional_id(unique_name("txn"));
  klab::client::Producer producer(config);
  ASSERT_FALSE(producer.init_transactions(scaled(60s)));
  ASSERT_FALSE(producer.begin_transaction());
  ASSERT_FALSE(producer.send({.topic = topic, .value = "fits"}));
  ASSERT_FALSE(producer.send({.topic = topic, .value = std::string(5000, 'x')}));
  auto error = producer.commit_transaction(scaled(30s));
  print_row("abortable", error, "abort_transaction(), rewind the input, redo the batch");
  EXPECT_TRUE(error.txn_requires_abort()) << error.to_string();
  EXPECT_FALSE(error.fatal());
  ASSERT_FALSE(producer.abort_transaction(scaled(30s)));

  // The application's loop: redo the batch in a new transaction until a commit succeeds.
  // librdkafka 2.0.2 needs two rounds here: the first transaction after the abort still fails
  // with OUT_OF_ORDER_SEQUENCE_NUMBER (abortable too: the refused record's sequence number was
  // spent), and the abort after it resets the producer's sequence numbers.
  int rounds = 0;
  klab::Error last;
  do {
    ++rounds;
    ASSERT_FALSE(producer.begin_transaction());
    ASSERT_FALSE(producer.send({.topic = topic, .value = "after"}));
    last = producer.commit_transaction(scaled(30s));
    if (last) {
      std::cout << "round " << rounds << ": " << last.to_string() << "\n";
      ASSERT_TRUE(last.txn_requires_abort()) << last.to_string();
      ASSERT_FALSE(producer.abort_transaction(scaled(30s)));
    }
  } while (last && rounds < 3);
  EXPECT_FALSE(last) << "the same producer commits within 3 rounds: " << last.to_string();
  std::vector<std::string> committed;
  auto read_committed = cluster().client_config();
  read_committed.set("isolation.level", "read_committed");
  klab::client::read_to_end(read_committed, topic, [&](const klab::client::Record& r) {
    committed.emplace_back(*r.value());
  });
  EXPECT_EQ(committed, std::vector<std::string>{"after"}) << "the aborted \"fits\" is not read";
}

TEST(P8ErrorHandling, AFencedTransactionalProducerIsFatalAndOnlyANewInstanceGoesOn) {
  KLAB_ROADMAP("8.3.3");
  auto topic = unique_name("fenced");
  klab::testing::create_topic(topic, 1, 1);
  auto config = cluster().client_config().transactional_id(unique_name("zombie"));
  klab::client::Producer zombie(config);
  ASSERT_FALSE(zombie.init_transactions(scaled(60s)));
  ASSERT_FALSE(zombie.begin_transaction());
  ASSERT_FALSE(zombie.send({.topic = topic, .value = "from the zombie"}));
  ASSERT_FALSE(zombie.flush(scaled(30s)));

  klab::client::Producer successor(config);  // same transactional.id: a restarted instance
  ASSERT_FALSE(successor.init_transactions(scaled(60s))) << "bumps the epoch, fencing the first";
  auto error = zombie.commit_transaction(scaled(30s));
  print_row("fatal", error, "close this producer; a new instance takes over");
  EXPECT_TRUE(error.fatal()) << error.to_string();
  EXPECT_TRUE(error.code() == RD_KAFKA_RESP_ERR__FENCED ||
              error.code() == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
              error.code() == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
      << error.to_string();
  EXPECT_TRUE(zombie.begin_transaction()) << "a fenced producer can do nothing more";

  ASSERT_FALSE(successor.begin_transaction());
  ASSERT_FALSE(successor.send({.topic = topic, .value = "from the successor"}));
  ASSERT_FALSE(successor.commit_transaction(scaled(30s)));
}

struct Order {
  std::string id;
  int amount = 0;
};
void from_json(const nlohmann::json& j, Order& o) {
  j.at("id").get_to(o.id);
  j.at("amount").get_to(o.amount);
}

TEST(P8ErrorHandling, ARecordThatDoesNotDeserializeIsAPoisonPillToSkipNotToRetry) {
  KLAB_ROADMAP("8.3.3");
  auto topic = unique_name("poison");
  klab::testing::create_topic(topic, 1, 1);
  klab::client::Producer producer(cluster().client_config().acks("all"));
  for (const char* value :
       {R"({"id":"o-1","amount":10})", "not json at all", R"({"id":"o-3","amount":30})"})
    ASSERT_FALSE(producer.send({.topic = topic, .value = value}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  klab::client::JsonSerde<Order> serde;
  std::vector<std::string> processed;
  std::vector<klab::Error> skipped;
  for (int attempt = 0; attempt < 3; ++attempt) {  // reading again gives the same answer
    processed.clear();
    skipped.clear();
    klab::client::read_to_end(cluster().client_config(), topic, [&](const klab::client::Record& r) {
      auto order = serde.deserialize(r.value());
      if (order)
        processed.push_back(order.value().id);
      else
        skipped.push_back(order.error());
    });
  }
  ASSERT_EQ(skipped.size(), 1u);
  print_row("serialization", skipped[0], "skip it to a dead-letter topic; retrying never helps");
  EXPECT_EQ(skipped[0].code(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
  EXPECT_FALSE(skipped[0].retriable());
  EXPECT_EQ(processed, (std::vector<std::string>{"o-1", "o-3"})) << "the records around it go on";
}

TEST(P8ErrorHandling, AnInvalidConfigurationFailsAtConstructionNamingTheKey) {
  KLAB_ROADMAP("8.3.3");
  auto config = cluster().client_config().enable_idempotence(true).acks("1");
  try {
    klab::client::Producer producer(config);
    FAIL() << "an idempotent producer with acks=1 was accepted";
  } catch (const klab::KafkaException& e) {
    print_row("configuration", e.error(), "fix the code; fail at start-up, never at runtime");
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_NE(e.error().message().find("acks"), std::string::npos) << e.error().message();
  }
}

}  // namespace
