// The delivery ledger end to end on librdkafka's mock cluster. The mock is NOT a real broker: it
// is here for the exact Produce and Fetch errors a real broker cannot be told to return.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/producer.hpp"
#include "klab/client/topic_partition.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/mock_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::PersistenceStatus;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::DeliveryLedger;

constexpr int produce_api_key = 0;  // Kafka protocol ApiKeys
constexpr int fetch_api_key = 1;

class DeliveryLedgerOnMockCluster : public klab::testing::MockClusterTest {
 protected:
  klab::client::Config producer_config() {
    auto c = mock_.client_config();
    c.set("acks", "all");
    return c;
  }
};

std::string key_of(int i) { return "key-" + std::to_string(i % 10); }

TEST_F(DeliveryLedgerOnMockCluster, CleanRunAcknowledgesAndConsumesEverything) {
  mock_.create_topic("ledger-clean", 4, 3);
  DeliveryLedger ledger("ledger-clean");
  {
    Producer producer(producer_config());
    for (int i = 0; i < 500; ++i) ASSERT_FALSE(ledger.send(producer, key_of(i), 64));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto r = ledger.reconcile(mock_.client_config(), 30s);
  std::cout << r << "\n";
  EXPECT_EQ(r.attempted, 500u);
  EXPECT_EQ(r.acknowledged, 500u);
  EXPECT_EQ(r.consumed_unique, 500u);
  EXPECT_EQ(r.failed + r.uncertain + r.unreported + r.duplicates + r.lost + r.phantoms +
                r.order_violations + r.foreign,
            0u)
      << r;
}

TEST_F(DeliveryLedgerOnMockCluster,
       InjectedProduceErrorsFailRecordsButLoseOrResurrectNoneOnTheMock) {
  mock_.create_topic("ledger-faults", 1, 1);
  // Small batches, so the injected errors hit a few of many requests; INVALID_RECORD is not
  // retriable and retries=0 besides, so each hit batch fails outright.
  mock_.push_request_errors(produce_api_key,
                            std::vector<rd_kafka_resp_err_t>(5, RD_KAFKA_RESP_ERR_INVALID_RECORD));
  auto config = producer_config();
  config.set("retries", "0");
  config.set("batch.num.messages", "10");
  DeliveryLedger ledger("ledger-faults");
  {
    Producer producer(config);
    for (int i = 0; i < 500; ++i) ASSERT_FALSE(ledger.send(producer, key_of(i)));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto r = ledger.reconcile(mock_.client_config(), 30s);
  std::cout << r << "\n";
  EXPECT_GT(r.failed, 0u) << r;
  EXPECT_GT(r.acknowledged, 0u) << r;
  EXPECT_EQ(r.failed + r.acknowledged, r.attempted) << r;
  EXPECT_EQ(r.consumed_unique, r.acknowledged) << r;
  EXPECT_EQ(r.lost, 0u) << r;
  EXPECT_EQ(r.phantoms, 0u) << r;
  EXPECT_EQ(r.duplicates, 0u) << r;
}

TEST_F(DeliveryLedgerOnMockCluster, AcksZeroReportsSuccessAsPossiblyPersistedOnTheMock) {
  mock_.create_topic("ledger-acks0", 1, 1);
  auto config = mock_.client_config();
  config.set("acks", "0");
  DeliveryLedger ledger("ledger-acks0");
  Producer producer(config);
  auto report = ledger.send_sync(producer, scaled(10s));
  // No acknowledgement was asked for: librdkafka calls it a success it cannot vouch for.
  EXPECT_FALSE(report.error) << report.error;
  EXPECT_EQ(report.status, PersistenceStatus::possibly_persisted);
  EXPECT_EQ(report.offset, klab::client::offset_invalid) << "no broker answer, so no offset";
  EXPECT_EQ(ledger.outcomes().acknowledged, 1u);
}

TEST_F(DeliveryLedgerOnMockCluster, LedgersSharingATopicCountEachOthersRecordsAsForeignOnTheMock) {
  mock_.create_topic("ledger-shared", 2, 1);
  DeliveryLedger first("ledger-shared"), second("ledger-shared");
  {
    Producer producer(producer_config());
    for (int i = 0; i < 30; ++i) ASSERT_FALSE(first.send(producer, key_of(i)));
    for (int i = 0; i < 20; ++i) ASSERT_FALSE(second.send(producer, key_of(i)));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto a = first.reconcile(mock_.client_config(), 30s);
  auto b = second.reconcile(mock_.client_config(), 30s);
  EXPECT_EQ(a.consumed_unique, 30u);
  EXPECT_EQ(a.foreign, 20u);
  EXPECT_EQ(b.consumed_unique, 20u);
  EXPECT_EQ(b.foreign, 30u);
  EXPECT_EQ(a.lost + b.lost, 0u);
}

TEST_F(DeliveryLedgerOnMockCluster, SendSyncCountsAnUnreportedRecordOnceItsReportArrivesOnTheMock) {
  mock_.create_topic("ledger-slow", 1, 1);
  for (int broker = 1; broker <= 3; ++broker) mock_.set_rtt(broker, 500);
  DeliveryLedger ledger("ledger-slow");
  Producer producer(producer_config());
  auto report = ledger.send_sync(producer, 1ms);
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__TIMED_OUT) << report.error;
  EXPECT_EQ(ledger.outcomes().unreported, 1u) << "the wait ended, the delivery did not";
  EXPECT_TRUE(
      klab::cluster::await_until([&] { return ledger.outcomes().acknowledged == 1; }, scaled(30s)));
}

TEST_F(DeliveryLedgerOnMockCluster, ReconcileOfAMissingTopicThrowsOnTheMock) {
  DeliveryLedger ledger("no-such-topic");
  try {
    ledger.reconcile(mock_.client_config(), 10s);
    FAIL() << "reconcile of a missing topic returned";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) << e.what();
  }
}

TEST_F(DeliveryLedgerOnMockCluster,
       ReconcileThatCannotReachTheHighWatermarkNamesThePartitionsOnTheMock) {
  mock_.create_topic("ledger-stuck", 2, 1);
  DeliveryLedger ledger("ledger-stuck");
  {
    Producer producer(producer_config());
    for (int i = 0; i < 20; ++i) ASSERT_FALSE(ledger.send(producer, key_of(i)));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  // Every Fetch for the next while fails, so the read cannot finish: reconcile must say so
  // instead of returning what little it has.
  mock_.push_request_errors(fetch_api_key, std::vector<rd_kafka_resp_err_t>(
                                               1000, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION));
  try {
    ledger.reconcile(mock_.client_config(), 2s);
    FAIL() << "reconcile returned a partial read";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__TIMED_OUT) << e.what();
    std::string what = e.what();
    std::cout << what << "\n";
    EXPECT_NE(what.find("partition 0"), std::string::npos) << what;
    EXPECT_NE(what.find("partition 1"), std::string::npos) << what;
  }
}

}  // namespace
