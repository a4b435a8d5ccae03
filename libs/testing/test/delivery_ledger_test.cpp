// The delivery ledger's arithmetic, without a broker: delivery reports are made by hand and fed
// to the callbacks track() returns, and "what the topic holds" is a hand-made list for compute().
#include "klab/testing/delivery_ledger.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace {
using klab::client::DeliveryReport;
using klab::client::PersistenceStatus;
using klab::client::ProducerRecord;
using klab::testing::DeliveryLedger;
using klab::testing::LedgerReport;
using Consumed = DeliveryLedger::Consumed;

DeliveryReport acked(std::int64_t offset = 0) {
  DeliveryReport r;
  r.partition = 0;
  r.offset = offset;
  r.status = PersistenceStatus::persisted;
  return r;
}

DeliveryReport failed_with(rd_kafka_resp_err_t code, PersistenceStatus status) {
  DeliveryReport r;
  r.error = klab::Error(code);
  r.status = status;
  return r;
}

// Hands out `n` records and reports each one as acknowledged.
std::vector<ProducerRecord> acked_records(DeliveryLedger& ledger, int n,
                                          std::optional<std::string> key = std::nullopt) {
  std::vector<ProducerRecord> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(ledger.next(key));
    ledger.track(out.back())(acked(i));
  }
  return out;
}

Consumed read(const ProducerRecord& r, std::int64_t offset, std::int32_t partition = 0) {
  return {partition, offset, r.key, *r.value};
}

TEST(DeliveryLedger, NextNumbersValuesFromZeroWithTheRunAndPadsThem) {
  DeliveryLedger ledger("orders");
  auto first = ledger.next("k1");
  auto second = ledger.next(std::nullopt, 32);
  EXPECT_EQ(first.topic, "orders");
  EXPECT_EQ(first.key, "k1");
  EXPECT_FALSE(first.partition);
  EXPECT_EQ(first.value, ledger.run() + "/0");
  EXPECT_FALSE(second.key);
  ASSERT_EQ(second.value->size(), 32u);
  EXPECT_TRUE(second.value->starts_with(ledger.run() + "/1."));
  EXPECT_EQ(ledger.outcomes().attempted, 2u);
  EXPECT_EQ(ledger.outcomes().unreported, 2u);
}

TEST(DeliveryLedger, TwoLedgersOnOneTopicPickDifferentRuns) {
  DeliveryLedger a("t"), b("t");
  EXPECT_NE(a.run(), b.run());
}

TEST(DeliveryLedger, CleanRunHasEveryRecordOnceAndNothingElse) {
  DeliveryLedger ledger("t");
  auto records = acked_records(ledger, 5, "k");
  std::vector<Consumed> consumed;
  for (std::size_t i = 0; i < records.size(); ++i) consumed.push_back(read(records[i], i));
  auto r = ledger.compute(consumed);
  EXPECT_EQ(r.attempted, 5u);
  EXPECT_EQ(r.acknowledged, 5u);
  EXPECT_EQ(r.consumed_unique, 5u);
  EXPECT_EQ(r.failed + r.uncertain + r.unreported + r.duplicates + r.lost + r.phantoms +
                r.order_violations + r.foreign,
            0u)
      << r;
}

TEST(DeliveryLedger, ReportsMapToAcknowledgedFailedUncertainAndUnreported) {
  DeliveryLedger ledger("t");
  auto ok = ledger.next();
  auto refused = ledger.next();
  auto timed_out = ledger.next();
  auto contradictory = ledger.next();
  auto rejected = ledger.next();
  [[maybe_unused]] auto pending = ledger.next();
  ledger.track(ok)(acked());
  ledger.track(refused)(
      failed_with(RD_KAFKA_RESP_ERR_INVALID_RECORD, PersistenceStatus::not_persisted));
  ledger.track(timed_out)(
      failed_with(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, PersistenceStatus::possibly_persisted));
  // "Persisted" with an error: neither fact can be trusted alone.
  ledger.track(contradictory)(
      failed_with(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, PersistenceStatus::persisted));
  ledger.rejected(rejected, klab::Error(RD_KAFKA_RESP_ERR__QUEUE_FULL));

  auto r = ledger.outcomes();
  EXPECT_EQ(r.attempted, 6u);
  EXPECT_EQ(r.acknowledged, 1u);
  EXPECT_EQ(r.failed, 2u);
  EXPECT_EQ(r.uncertain, 2u);
  EXPECT_EQ(r.unreported, 1u);
  EXPECT_EQ(r.consumed_unique, 0u);
}

TEST(DeliveryLedger, AcknowledgedWithoutOffsetStillCountsAsAcknowledged) {
  // acks=0: success without an acknowledgement, no offset, status possibly_persisted.
  DeliveryLedger ledger("t");
  auto record = ledger.next();
  DeliveryReport r;
  r.status = PersistenceStatus::possibly_persisted;
  ledger.track(record)(r);
  EXPECT_EQ(ledger.outcomes().acknowledged, 1u);
}

TEST(DeliveryLedger, AcknowledgedButNeverConsumedCountsAsLost) {
  DeliveryLedger ledger("t");
  auto records = acked_records(ledger, 4);
  auto r = ledger.compute({read(records[0], 0), read(records[2], 1)});
  EXPECT_EQ(r.acknowledged, 4u);
  EXPECT_EQ(r.consumed_unique, 2u);
  EXPECT_EQ(r.lost, 2u);
  EXPECT_EQ(r.lost_ids, (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(r.phantoms, 0u);
}

TEST(DeliveryLedger, UncertainOrUnreportedRecordsAreNeverLostOrPhantoms) {
  DeliveryLedger ledger("t");
  auto maybe_written = ledger.next();
  auto maybe_not = ledger.next();
  [[maybe_unused]] auto unreported = ledger.next();
  auto timeout =
      failed_with(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, PersistenceStatus::possibly_persisted);
  ledger.track(maybe_written)(timeout);
  ledger.track(maybe_not)(timeout);
  auto r = ledger.compute({read(maybe_written, 0)});
  EXPECT_EQ(r.uncertain, 2u);
  EXPECT_EQ(r.unreported, 1u);
  EXPECT_EQ(r.consumed_unique, 1u);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.phantoms, 0u);
}

TEST(DeliveryLedger, FailedButConsumedCountsAsPhantom) {
  DeliveryLedger ledger("t");
  auto ok = ledger.next();
  auto refused = ledger.next();
  auto rejected = ledger.next();
  ledger.track(ok)(acked());
  ledger.track(refused)(
      failed_with(RD_KAFKA_RESP_ERR_INVALID_RECORD, PersistenceStatus::not_persisted));
  ledger.rejected(rejected, klab::Error(RD_KAFKA_RESP_ERR__QUEUE_FULL));
  auto r = ledger.compute({read(ok, 0), read(refused, 1), read(rejected, 2)});
  EXPECT_EQ(r.failed, 2u);
  EXPECT_EQ(r.phantoms, 2u);
  EXPECT_EQ(r.phantom_ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(r.lost, 0u);
}

TEST(DeliveryLedger, RepeatedSeqCountsAsDuplicate) {
  DeliveryLedger ledger("t");
  auto records = acked_records(ledger, 3, "k");
  // Seq 1 written three times (two retried batches), seq 2 twice in another partition.
  auto r = ledger.compute({read(records[0], 0), read(records[1], 1), read(records[1], 2),
                           read(records[1], 3), read(records[2], 4), read(records[2], 0, 1)});
  EXPECT_EQ(r.consumed_unique, 3u);
  EXPECT_EQ(r.duplicates, 3u);
  EXPECT_EQ(r.duplicate_ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(r.order_violations, 0u) << "a repeat is a duplicate, not a reordering";
  EXPECT_EQ(r.lost, 0u);
}

TEST(DeliveryLedger, LowerSeqAfterHigherSeqForSameKeyIsAnOrderViolation) {
  DeliveryLedger ledger("t");
  // Key a: 0, 1, 2, 3. Key b: 4, 5. A retried batch (1, 2) landed after 3; key b is in order.
  std::vector<ProducerRecord> a = acked_records(ledger, 4, "a");
  std::vector<ProducerRecord> b = acked_records(ledger, 2, "b");
  auto r = ledger.compute(
      {read(a[0], 0), read(b[0], 1), read(a[3], 2), read(a[1], 3), read(a[2], 4), read(b[1], 5)});
  EXPECT_EQ(r.order_violations, 2u);
  EXPECT_EQ(r.consumed_unique, 6u);
}

TEST(DeliveryLedger, OrderIsJudgedInPartitionAndOffsetOrderNotInTheOrderGiven) {
  DeliveryLedger ledger("t");
  auto records = acked_records(ledger, 3, "k");
  // Given out of order (as a multi-threaded reader might collect them), but in order on disk.
  auto r = ledger.compute({read(records[2], 12), read(records[0], 10), read(records[1], 11)});
  EXPECT_EQ(r.order_violations, 0u);
}

TEST(DeliveryLedger, KeylessRecordsHaveNoOrderToViolate) {
  DeliveryLedger ledger("t");
  auto records = acked_records(ledger, 3);
  auto r = ledger.compute({read(records[2], 0), read(records[1], 1), read(records[0], 2)});
  EXPECT_EQ(r.order_violations, 0u);
  EXPECT_EQ(r.consumed_unique, 3u);
}

TEST(DeliveryLedger, OtherRunsRecordsAreForeign) {
  DeliveryLedger ledger("t"), other("t");
  auto mine = acked_records(ledger, 1, "k");
  auto theirs = acked_records(other, 2, "k");
  auto r = ledger.compute({read(theirs[1], 0),
                           read(mine[0], 1),
                           read(theirs[0], 2),
                           {0, 3, std::nullopt, "not a ledger value"},
                           {0, 4, "k", ledger.run() + "/7"},     // a seq never handed out
                           {0, 5, "k", ledger.run() + "/0x"}});  // trailing garbage
  EXPECT_EQ(r.foreign, 5u);
  EXPECT_EQ(r.consumed_unique, 1u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(r.order_violations, 0u);
  EXPECT_EQ(r.lost, 0u);
}

TEST(DeliveryLedger, RecordsOfAnotherLedgerAreRefused) {
  DeliveryLedger ledger("t"), other("t");
  auto theirs = other.next();
  EXPECT_THROW(ledger.track(theirs), klab::KafkaException);
  EXPECT_THROW(ledger.rejected(theirs, klab::Error(RD_KAFKA_RESP_ERR__QUEUE_FULL)),
               klab::KafkaException);
}

TEST(DeliveryLedger, ListedIdsStopAtTwenty) {
  DeliveryLedger ledger("t");
  acked_records(ledger, 50);
  auto r = ledger.compute({});
  EXPECT_EQ(r.lost, 50u);
  ASSERT_EQ(r.lost_ids.size(), LedgerReport::max_listed_ids);
  EXPECT_EQ(r.lost_ids.front(), 0u);
  EXPECT_EQ(r.lost_ids.back(), 19u);
}

TEST(DeliveryLedger, TableHasEveryColumn) {
  LedgerReport r;
  r.attempted = 1000;
  r.acknowledged = 990;
  r.failed = 3;
  r.uncertain = 7;
  r.consumed_unique = 992;
  r.duplicates = 12;
  r.lost = 1;
  r.phantoms = 2;
  r.order_violations = 4;
  r.foreign = 5;
  auto table = r.table();
  auto newline = table.find('\n');
  ASSERT_NE(newline, std::string::npos);
  auto header = table.substr(0, newline);
  auto values = table.substr(newline + 1);
  EXPECT_EQ(values.find('\n'), std::string::npos) << "two lines";
  EXPECT_EQ(header.size(), values.size()) << "fixed-width columns line up\n" << table;
  for (const char* column : {"attempted", "acked", "failed", "uncertain", "unreported", "consumed",
                             "duplicates", "lost", "phantoms", "out_of_order", "foreign"})
    EXPECT_NE(header.find(column), std::string::npos) << column;
  // Values right-aligned under their headers.
  EXPECT_EQ(values.substr(0, header.find("attempted") + 9).find("1000"),
            std::string("attempted").size() - 4);
  std::ostringstream printed;
  printed << r;
  EXPECT_EQ(printed.str(), table);
}

}  // namespace
