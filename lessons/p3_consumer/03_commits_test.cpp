// 3.3 Commits and delivery semantics: where the committed offset stands when a consumer crashes
// decides whether records are lost (at-most-once), repeated (at-least-once) or neither
// (exactly-once, with a transaction). Plus offset reset and seek.
#include <gtest/gtest.h>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Consumer;
using klab::client::Producer;
using klab::client::TopicPartition;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

Config group_config(const std::string& group) {
  return klab::testing::consumer_config(cluster().client_config(), group);
}

std::int64_t committed_offset(const std::string& group, const std::string& topic) {
  auto c = klab::client::Admin(cluster().client_config())
               .committed_offsets(group, {{topic, 0}}, scaled(10s));
  return c.empty() ? -1 : c[0].offset;
}

TEST(P3Commit, AutoCommitAdvancesTheCommittedOffsetWithoutAnyCall) {
  KLAB_ROADMAP("3.3.1");
  auto topic = unique_name("auto");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c"});
  auto group = unique_name("g");
  auto config = group_config(group);
  config.enable_auto_commit(true).set(klab::client::keys::auto_commit_interval_ms, "200");
  Consumer consumer(config);
  consumer.subscribe({topic});
  ASSERT_EQ(klab::testing::consume_n(consumer, 3, 30s).size(), 3u);
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        consumer.poll(50ms);
        return committed_offset(group, topic) == 3;
      },
      scaled(15s)))
      << "committed in the background every auto.commit.interval.ms";
}

TEST(P3Commit, ManualCommitCommitsNothingUntilTheApplicationSaysSo) {
  KLAB_ROADMAP("3.3.1");
  auto topic = unique_name("manual");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c"});
  auto group = unique_name("g");
  Consumer consumer(group_config(group));  // enable.auto.commit=false
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 3, 30s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_LT(committed_offset(group, topic), 0) << "read, but nothing committed";
  consumer.commit_sync(got[1]);
  EXPECT_EQ(committed_offset(group, topic), 2) << "the offset of the next record to read";
}

TEST(P3Commit, AutoCommitWithManualStoreCommitsOnlyWhatWasProcessed) {
  KLAB_ROADMAP("3.3.1");
  auto topic = unique_name("stored");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c", "d"});
  auto group = unique_name("g");
  auto config = group_config(group);
  // Auto commit commits only offsets the application stored after processing a record.
  config.enable_auto_commit(true).set(klab::client::keys::auto_commit_interval_ms, "200");
  config.set(klab::client::keys::enable_auto_offset_store, "false");
  Consumer consumer(config);
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, 4, 30s);
  ASSERT_EQ(got.size(), 4u);
  consumer.store_offset(got[0]);
  consumer.store_offset(got[1]);  // "c" and "d" were read but not processed
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        consumer.poll(50ms);
        return committed_offset(group, topic) == 2;
      },
      scaled(15s)));
  EXPECT_EQ(committed_offset(group, topic), 2) << "a restart resumes at c";
}

// The records of a batch, without its error events (end of partition and the like).
std::vector<const klab::client::Record*> records_in(
    const std::vector<klab::client::Record>& batch) {
  std::vector<const klab::client::Record*> out;
  for (const auto& r : batch)
    if (!r.error()) out.push_back(&r);
  return out;
}

// Reads `output` with read_uncommitted or read_committed, for the ledger to judge.
std::vector<DeliveryLedger::Consumed> read_output(const std::string& output, bool committed_only) {
  auto config = group_config(unique_name("check"));
  if (committed_only) config.isolation_level(klab::client::IsolationLevel::read_committed);
  Consumer reader(config);
  reader.subscribe({output});
  std::vector<DeliveryLedger::Consumed> consumed;
  for (auto& r : klab::testing::consume_n(reader, 400, 5s))
    consumed.push_back({r.partition(), r.offset(), std::string(*r.key()), std::string(*r.value())});
  return consumed;
}

// A consume-process step: reads the input topic and "processes" each record by writing its
// value to `output`. After `crash_after` records it stops without committing anything more, as
// a crashed process would. The commit happens before or after processing each batch.
enum class CommitPoint { before_processing, after_processing };

void process_until_crash(const std::string& input, const std::string& output,
                         const std::string& group, CommitPoint point, std::size_t crash_after) {
  Consumer consumer(group_config(group));
  consumer.subscribe({input});
  Producer out(cluster().client_config());
  std::size_t processed = 0;
  auto deadline = std::chrono::steady_clock::now() + scaled(60s);
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = consumer.poll_batch(50, 500ms);
    auto records = records_in(batch);
    if (records.empty()) {
      if (crash_after == SIZE_MAX) break;  // drained: a clean end
      continue;
    }
    if (point == CommitPoint::before_processing) consumer.commit_sync(*records.back());
    for (std::size_t i = 0; i < records.size(); ++i) {
      // The crash: inside a batch (never on its first record), and no more commits.
      if (processed >= crash_after && i > 0) return;
      const auto* r = records[i];
      EXPECT_FALSE(out.send_sync({.topic = output,
                                  .key = std::string(*r->key()),
                                  .value = std::string(*r->value())},
                                 scaled(30s))
                       .error);
      ++processed;
    }
    if (point == CommitPoint::after_processing) consumer.commit_sync(*records.back());
  }
}

klab::testing::LedgerReport run_with_crash(CommitPoint point) {
  auto input = unique_name("in");
  auto output = unique_name("out");
  klab::testing::create_topic(input, 1, 1);
  klab::testing::create_topic(output, 1, 1);
  DeliveryLedger ledger(input);
  {
    Producer producer(cluster().client_config());
    for (int i = 0; i < 200; ++i) EXPECT_FALSE(ledger.send(producer, "k"));
    EXPECT_FALSE(producer.flush(scaled(30s)));
  }
  auto group = unique_name("g");
  process_until_crash(input, output, group, point, 75);        // crashes inside a batch
  process_until_crash(input, output, group, point, SIZE_MAX);  // the restart runs to the end

  // What reached the output, judged against what the input ledger acknowledged.
  return ledger.compute(read_output(output, false));
}

TEST(P3DeliverySemantics, CommitBeforeProcessingLosesTheRestOfTheBatchOnACrash) {
  KLAB_ROADMAP("3.3.2");
  auto report = run_with_crash(CommitPoint::before_processing);
  std::cout << "at-most-once (commit, then process), crash after 75 of 200:\n" << report << '\n';
  EXPECT_GT(report.lost, 0u) << "the crashed batch was committed but not all processed";
  EXPECT_LT(report.lost, 50u) << "only the rest of that one batch";
  EXPECT_EQ(report.duplicates, 0u);
}

TEST(P3DeliverySemantics, CommitAfterProcessingRepeatsTheBatchOnACrash) {
  KLAB_ROADMAP("3.3.2");
  auto report = run_with_crash(CommitPoint::after_processing);
  std::cout << "at-least-once (process, then commit), crash after 75 of 200:\n" << report << '\n';
  EXPECT_EQ(report.lost, 0u);
  EXPECT_GT(report.duplicates, 0u) << "the crashed batch is processed again from its start";
  EXPECT_LT(report.duplicates, 50u) << "only the part of that batch done before the crash";
}

TEST(P3DeliverySemantics, TransactionalConsumeProcessProduceIsExactlyOnceAcrossACrash) {
  KLAB_ROADMAP("3.3.2");
  auto input = unique_name("in");
  auto output = unique_name("out");
  klab::testing::create_topic(input, 1, 1);
  klab::testing::create_topic(output, 1, 1);
  DeliveryLedger ledger(input);
  {
    Producer producer(cluster().client_config());
    for (int i = 0; i < 200; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto group = unique_name("g");
  auto txn_id = unique_name("txn");
  // One attempt: each batch's output and its input offsets commit in one transaction; the
  // crash abandons a transaction half-written.
  auto attempt = [&](std::size_t crash_after) {
    auto cconf = group_config(group);
    cconf.isolation_level(klab::client::IsolationLevel::read_committed);
    Consumer consumer(cconf);
    consumer.subscribe({input});
    Producer producer(cluster().client_config().transactional_id(txn_id));
    ASSERT_FALSE(producer.init_transactions(scaled(30s)));  // fences the crashed predecessor
    std::size_t processed = 0;
    auto deadline = std::chrono::steady_clock::now() + scaled(60s);
    while (std::chrono::steady_clock::now() < deadline) {
      auto batch = consumer.poll_batch(50, 500ms);
      auto records = records_in(batch);
      if (records.empty()) {
        if (crash_after == SIZE_MAX) return;
        continue;
      }
      ASSERT_FALSE(producer.begin_transaction());
      for (std::size_t i = 0; i < records.size(); ++i) {
        // Crash inside a batch: the open transaction is never committed.
        if (processed >= crash_after && i > 0) return;
        const auto* r = records[i];
        ASSERT_FALSE(producer.send(
            {.topic = output, .key = std::string(*r->key()), .value = std::string(*r->value())}));
        ++processed;
      }
      std::vector<TopicPartition> next{
          {input, records.back()->partition(), records.back()->offset() + 1}};
      ASSERT_FALSE(producer.send_offsets_to_transaction(next, consumer.native(), scaled(30s)));
      ASSERT_FALSE(producer.commit_transaction(scaled(30s)));
    }
  };
  attempt(75);
  attempt(SIZE_MAX);

  auto report = ledger.compute(read_output(output, true));
  std::cout << "exactly-once (transactional), crash after 75 of 200:\n" << report << '\n';
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u) << "the aborted transaction's writes are invisible";
  EXPECT_EQ(report.consumed_unique, 200u);
}

TEST(P3OffsetReset, EarliestReadsEverythingLatestOnlyNewAndNoneIsAnError) {
  KLAB_ROADMAP("3.3.3");
  auto topic = unique_name("reset");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"old-1", "old-2"});

  auto earliest = group_config(unique_name("g"));
  earliest.auto_offset_reset(klab::client::OffsetReset::earliest);
  Consumer e(earliest);
  e.subscribe({topic});
  auto from_start = klab::testing::consume_n(e, 2, 30s);
  ASSERT_EQ(from_start.size(), 2u);
  EXPECT_EQ(from_start[0].value(), "old-1");

  auto latest = group_config(unique_name("g"));
  latest.auto_offset_reset(klab::client::OffsetReset::latest);
  // The statistics say when the partition is being fetched, i.e. its start offset is resolved:
  // a record written before that would count as "old" too.
  klab::client::ConsumerStatsCollector stats;
  latest.statistics_interval_ms(1000).statistics_handler(stats.handler());
  Consumer l(latest);
  l.subscribe({topic});
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        l.poll(100ms);
        auto s = stats.latest();
        if (!s) return false;
        for (const auto& t : s->topics)
          for (const auto& p : t.partitions)
            if (t.name == topic && p.partition == 0 && p.fetch_state == "active") return true;
        return false;
      },
      scaled(30s)))
      << "latest: the partition never started fetching";
  klab::testing::produce_values(cluster().client_config(), topic, {"new-1"});
  auto only_new = klab::testing::consume_n(l, 1, 30s);
  ASSERT_EQ(only_new.size(), 1u);
  EXPECT_EQ(only_new[0].value(), "new-1");

  auto none = group_config(unique_name("g"));
  none.auto_offset_reset(klab::client::OffsetReset::none);
  Consumer n(none);
  n.subscribe({topic});
  klab::Error error;
  klab::cluster::await_until(
      [&] {
        auto r = n.poll(200ms);
        if (r && r->error()) error = r->error();
        return static_cast<bool>(error);
      },
      scaled(30s));
  EXPECT_EQ(error.code(), RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) << error.to_string();
  std::cout << "auto.offset.reset=none without a committed offset: " << error.to_string() << '\n';
}

TEST(P3Seek, SeekToAnOffsetAndToATimestamp) {
  KLAB_ROADMAP("3.3.4");
  auto topic = unique_name("seek");
  klab::testing::create_topic(topic, 1, 1);
  Producer producer(cluster().client_config());
  const std::int64_t t0 = 1'700'000'000'000;  // explicit CreateTime, one second apart
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(
        producer.send({.topic = topic, .value = std::to_string(i), .timestamp = t0 + i * 1000}));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  auto config = group_config(unique_name("g"));
  Consumer consumer(config);
  consumer.assign({{topic, 0, klab::client::offset_beginning}});
  ASSERT_EQ(klab::testing::consume_n(consumer, 1, 30s).size(), 1u);
  consumer.seek({{topic, 0, 50}}, scaled(10s));
  auto at50 = klab::testing::consume_n(consumer, 1, 30s);
  ASSERT_EQ(at50.size(), 1u);
  EXPECT_EQ(at50[0].offset(), 50);

  auto found = consumer.offsets_for_times({{topic, 0, t0 + 72'500}}, scaled(10s));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].offset, 73) << "the first record at or after the timestamp";
  consumer.seek_to_timestamp(t0 + 72'500, scaled(10s));
  auto at_time = klab::testing::consume_n(consumer, 1, 30s);
  ASSERT_EQ(at_time.size(), 1u);
  EXPECT_EQ(at_time[0].value(), "73");
}

}  // namespace
