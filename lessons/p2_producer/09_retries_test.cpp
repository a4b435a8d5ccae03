// 2.3 Retries: the producer re-sends on its own until delivery.timeout.ms. What happens when
// the leader comes back in time, when it doesn't, and when retries meet a request that did land.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::PersistenceStatus;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

class P2Retries : public klab::testing::ChaosTest<1> {
 protected:
  // One replica, so the partition has nowhere to fail over: the producer must wait it out.
  std::string single_replica_topic(const std::string& purpose) {
    auto topic = unique_name(purpose);
    klab::testing::create_topic(topic, 1, 1);
    leader_ = klab::testing::partition_info(topic, 0).leader;
    return topic;
  }
  int leader_ = -1;
};

Config base_config() {
  auto c = cluster().client_config();
  c.acks("all").linger_ms(5);
  return c;
}

TEST_F(P2Retries, LeaderBackWithinDeliveryTimeoutMeansEveryRecordIsDelivered) {
  KLAB_ROADMAP("2.3.1");
  auto topic = single_replica_topic("comeback");
  DeliveryLedger ledger(topic);
  Producer producer(base_config()
                        .set(klab::client::keys::enable_idempotence, "true")
                        .delivery_timeout_ms(90'000));
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  cluster().local().kill_node(leader_);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  EXPECT_EQ(ledger.outcomes().acknowledged, 50u) << "nothing can be acknowledged while down";
  cluster().local().start_node(leader_);
  ASSERT_FALSE(producer.flush(scaled(90s)));

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "leader killed, back within delivery.timeout.ms:\n" << report << '\n';
  EXPECT_EQ(report.acknowledged, 150u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u);
  EXPECT_EQ(report.order_violations, 0u);
}

// A frozen leader takes the requests into its socket and never answers: once delivery.timeout.ms
// passes, the producer cannot know whether they were written.
Config short_timeout_config() {
  return base_config()
      .set(klab::client::keys::enable_idempotence, "false")
      .set(klab::client::keys::socket_timeout_ms, "1000")
      .delivery_timeout_ms(3'000);
}

TEST_F(P2Retries, LeaderDownLongerThanDeliveryTimeoutEndsInTimedOutAndPossiblyPersisted) {
  KLAB_ROADMAP("2.3.1");
  auto topic = single_replica_topic("timeout");
  DeliveryLedger ledger(topic);
  Producer producer(short_timeout_config());
  ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));  // connected to the leader

  cluster().local().pause_node(leader_);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s))) << "every record gets its report";
  auto outcome = ledger.outcomes();
  cluster().local().resume_node(leader_);
  EXPECT_EQ(outcome.uncertain, 50u);
  auto errors = ledger.errors();
  EXPECT_EQ(errors[RD_KAFKA_RESP_ERR__MSG_TIMED_OUT], 50u);
  EXPECT_EQ(ledger.statuses()[PersistenceStatus::possibly_persisted], 50u)
      << "the requests had left the producer: written or not, it cannot tell";

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "leader frozen past delivery.timeout.ms, then resumed:\n" << report << '\n';
  EXPECT_EQ(report.lost, 0u) << "uncertain records are not counted as acknowledged";
  EXPECT_EQ(report.phantoms, 0u) << "nor as failed";
}

TEST_F(P2Retries, BlindlyResendingUncertainRecordsCreatesDuplicates) {
  KLAB_ROADMAP("2.3.1");
  auto topic = single_replica_topic("resend");
  DeliveryLedger ledger(topic);
  {
    Producer producer(short_timeout_config());
    ASSERT_FALSE(ledger.send(producer, "k"));
    ASSERT_FALSE(producer.flush(scaled(30s)));
    cluster().local().pause_node(leader_);
    for (int i = 0; i < 50; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
    ASSERT_FALSE(producer.flush(scaled(30s)));
    cluster().local().resume_node(leader_);
  }
  auto uncertain = ledger.uncertain_ids();
  ASSERT_EQ(uncertain.size(), 50u);
  // The application's "retry": send each uncertain record again, from a fresh producer.
  Producer again(base_config().delivery_timeout_ms(60'000));
  for (auto id : uncertain) ASSERT_FALSE(ledger.resend(again, id));
  ASSERT_FALSE(again.flush(scaled(60s)));

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "uncertain records re-sent by the application:\n" << report << '\n';
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.consumed_unique, 51u);
  EXPECT_GT(report.duplicates, 0u) << "the frozen leader had written them after all";
}

// The same fault, but the producer's own retries cover it: socket.timeout.ms (the client-side
// request timeout) is short, so a request to the frozen leader times out and is sent again, while
// delivery.timeout.ms is long.
std::size_t duplicates_when_retrying(bool idempotent) {
  auto topic = unique_name(idempotent ? "idem" : "plain");
  klab::testing::create_topic(topic, 1, 1);
  int leader = klab::testing::partition_info(topic, 0).leader;
  DeliveryLedger ledger(topic);
  // librdkafka reports a timed-out request as a client-level error before it retries.
  auto timeouts = std::make_shared<std::atomic<int>>(0);
  auto config = base_config()
                    .set(klab::client::keys::enable_idempotence, idempotent ? "true" : "false")
                    .set(klab::client::keys::socket_timeout_ms, "1000")
                    .delivery_timeout_ms(60'000);
  config.error_handler([timeouts](const klab::Error& e) {
    if (e.to_string().find("timed out") != std::string::npos) ++*timeouts;
  });
  Producer producer(config);
  EXPECT_FALSE(ledger.send(producer, "k"));
  EXPECT_FALSE(producer.flush(scaled(30s)));

  cluster().local().pause_node(leader);
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(ledger.send(producer, "k"));
  bool timed_out = klab::cluster::await_until([&] { return *timeouts > 0; }, scaled(20s));
  cluster().local().resume_node(leader);
  EXPECT_TRUE(timed_out) << "the request to the frozen leader never timed out";
  EXPECT_FALSE(producer.flush(scaled(60s)));

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << (idempotent ? "idempotent" : "non-idempotent")
            << " producer, request timed out and retried:\n"
            << report << '\n';
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.acknowledged, report.attempted);
  return report.duplicates;
}

TEST_F(P2Retries, ProducerRetriesOfALandedRequestDuplicateWithoutIdempotence) {
  KLAB_ROADMAP("2.3.1");
  EXPECT_GT(duplicates_when_retrying(false), 0u);
}

TEST_F(P2Retries, IdempotentProducerRetriesTheSameFaultWithoutDuplicates) {
  KLAB_ROADMAP("2.3.1");
  EXPECT_EQ(duplicates_when_retrying(true), 0u);
}

}  // namespace
