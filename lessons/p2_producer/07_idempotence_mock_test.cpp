// 2.2 Idempotent producer and 4.2 per-partition order. Uses librdkafka's MOCK cluster, not a
// real broker: only the mock can fail exactly the first produce request while later ones are
// already in flight. (Duplicates from retries are shown on the real cluster, 09_retries.)
#include <gtest/gtest.h>

#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/mock_cluster.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::DeliveryLedger;
using klab::testing::LedgerReport;

constexpr int leader = 1;

class P2IdempotenceOnMockCluster : public klab::testing::MockClusterTest {
 protected:
  std::string topic_ = "orders";
  void SetUp() override {
    mock_.create_topic(topic_, 1, 3);
    mock_.set_partition_leader(topic_, 0, leader);
  }

  Config producer_config(bool idempotent) {
    auto c = mock_.client_config();
    c.acks("all").set(klab::client::keys::enable_idempotence, idempotent ? "true" : "false");
    return c;
  }

  LedgerReport send_and_reconcile(Producer& producer, DeliveryLedger& ledger, int n) {
    for (int i = 0; i < n; ++i) EXPECT_FALSE(ledger.send(producer, "order-1"));
    EXPECT_FALSE(producer.flush(scaled(60s)));
    return ledger.reconcile(mock_.client_config(), scaled(30s));
  }

  // The first produce request fails with a retriable error; 50 ms of RTT keeps the next
  // requests in flight behind it, so they are written before its retry.
  void fail_first_produce_with_requests_in_flight() {
    mock_.set_rtt(leader, 50);
    mock_.push_request_errors(0 /* Produce */, {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
  }
};

// Several small batches in flight at once; librdkafka's max.in.flight default is 1,000,000,
// so cap it at Kafka's usual 5.
Config in_flight(Config c) {
  return c.batch_size(1'000).linger_ms(0).set(
      klab::client::keys::max_in_flight_requests_per_connection, "5");
}

TEST_F(P2IdempotenceOnMockCluster,
       RetriesWithSeveralRequestsInFlightReorderAKeyWithoutIdempotence) {
  KLAB_ROADMAP("4.2.4 2.2.4");
  fail_first_produce_with_requests_in_flight();
  DeliveryLedger ledger(topic_);
  Producer producer(in_flight(producer_config(false)));
  auto report = send_and_reconcile(producer, ledger, 300);
  std::cout << "enable.idempotence=false, first request failed, others in flight:\n"
            << report << '\n';
  EXPECT_EQ(report.acknowledged, 300u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_GT(report.order_violations, 0u) << "the retried batch landed after later ones";
}

TEST_F(P2IdempotenceOnMockCluster, IdempotentProducerKeepsAKeysOrderUnderTheSameRetries) {
  KLAB_ROADMAP("4.2.4 2.2.4");
  fail_first_produce_with_requests_in_flight();
  DeliveryLedger ledger(topic_);
  Producer producer(in_flight(producer_config(true)));
  auto report = send_and_reconcile(producer, ledger, 300);
  std::cout << "enable.idempotence=true, same fault:\n" << report << '\n';
  EXPECT_EQ(report.acknowledged, 300u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u);
  EXPECT_EQ(report.order_violations, 0u) << "later batches waited for the retried one";
}

}  // namespace
