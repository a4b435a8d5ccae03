// The delivery ledger against a real broker: reconcile() must finish on a real log, including
// one whose last offsets are transaction markers a read_committed consumer never sees.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

// Led on every partition before the first send: a broker that does not know yet that it leads
// answers NOT_LEADER, and the retried batch would land after later ones.
std::string new_topic(const std::string& purpose, int partitions) {
  auto name = unique_name(purpose);
  klab::testing::create_topic(name, partitions, 1);
  return name;
}

void expect_clean(const klab::testing::LedgerReport& r, std::size_t n) {
  EXPECT_EQ(r.attempted, n) << r;
  EXPECT_EQ(r.acknowledged, n) << r;
  EXPECT_EQ(r.consumed_unique, n) << r;
  EXPECT_EQ(r.failed + r.uncertain + r.unreported + r.duplicates + r.lost + r.phantoms +
                r.order_violations + r.foreign,
            0u)
      << r;
}

TEST(DeliveryLedgerOnBroker, CleanRunOnEveryPartitionIsReconciledCompletely) {
  auto topic = new_topic("ledger", 3);
  DeliveryLedger ledger(topic);
  {
    // Idempotent: even a retried batch keeps each key's order, so a clean run is clean.
    Producer producer(cluster().client_config().acks("all").enable_idempotence(true));
    for (int i = 0; i < 300; ++i)
      ASSERT_FALSE(ledger.send(producer, "key-" + std::to_string(i % 10)));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto r = ledger.reconcile(cluster().client_config(), 60s);
  std::cout << r << "\n";
  expect_clean(r, 300);
}

TEST(DeliveryLedgerOnBroker, EmptyTopicReconcilesToNothingAtOnce) {
  auto topic = new_topic("ledger-empty", 2);
  DeliveryLedger ledger(topic);
  auto r = ledger.reconcile(cluster().client_config(), 30s);
  EXPECT_EQ(r.attempted + r.consumed_unique + r.foreign, 0u) << r;
}

// Sends `n` records in one transaction and commits or aborts it.
void send_in_transaction(DeliveryLedger& ledger, int n, bool commit) {
  auto config = cluster().client_config();
  config.transactional_id(unique_name("txn"));
  Producer producer(config);
  ASSERT_FALSE(producer.init_transactions(scaled(30s)));
  ASSERT_FALSE(producer.begin_transaction());
  for (int i = 0; i < n; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  if (commit)
    ASSERT_FALSE(producer.commit_transaction(scaled(30s)));
  else
    ASSERT_FALSE(producer.abort_transaction(scaled(30s)));
}

klab::client::Config read_committed() {
  return cluster().client_config().isolation_level(klab::client::IsolationLevel::read_committed);
}

TEST(DeliveryLedgerOnBroker, ReadCommittedReconcileRightAfterCommitWaitsForTheMarkers) {
  auto topic = new_topic("ledger-txn", 1);
  DeliveryLedger ledger(topic);
  send_in_transaction(ledger, 10, true);
  // commit_transaction() returns before the coordinator has written the commit marker, so the
  // last stable offset may still be 0 here; the marker at offset 10 itself never reaches a
  // consumer. reconcile() must read all 10 anyway.
  expect_clean(ledger.reconcile(read_committed(), 30s), 10);
  expect_clean(ledger.reconcile(cluster().client_config().isolation_level(
                                    klab::client::IsolationLevel::read_uncommitted),
                                30s),
               10);
}

TEST(DeliveryLedgerOnBroker, AbortedTransactionRecordsAreAcknowledgedYetLostUnderReadCommitted) {
  auto topic = new_topic("ledger-abort", 1);
  DeliveryLedger ledger(topic);
  send_in_transaction(ledger, 5, false);
  send_in_transaction(ledger, 5, true);
  auto r = ledger.reconcile(read_committed(), 30s);
  std::cout << r << "\n";
  EXPECT_EQ(r.acknowledged, 10u) << "the broker acknowledged every write" << r;
  EXPECT_EQ(r.consumed_unique, 5u) << r;
  EXPECT_EQ(r.lost, 5u) << "the ledger knows nothing of the abort" << r;
  EXPECT_EQ(r.lost_ids, (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
}

}  // namespace
