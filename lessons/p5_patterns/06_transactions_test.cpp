// 5.3 Transactions and exactly-once: records of a transaction become visible to read_committed
// readers only when it commits; a crashed consume-process-produce pipeline leaves no partial
// output behind; a second producer with the same transactional.id fences the first; an open
// transaction holds the last stable offset (LSO) back.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Consumer;
using klab::client::IsolationLevel;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;
using Consumed = klab::testing::DeliveryLedger::Consumed;

Config reader_config(IsolationLevel level) {
  auto config = cluster().client_config();
  config.group_id(unique_name("reader"))
      .isolation_level(level)
      .enable_auto_commit(false)
      .enable_partition_eof(true);
  return config;
}

Producer transactional_producer(const std::string& id) {
  auto config = cluster().client_config();
  config.transactional_id(id);
  return Producer(config);
}

// Everything a reader with `level` can read of the topic now: up to the high watermark
// (read_uncommitted) or the LSO (read_committed), in partition and offset order.
std::vector<Consumed> read_to_end(const std::string& topic, int partitions, IsolationLevel level) {
  Consumer consumer(reader_config(level));
  std::map<int, std::int64_t> end;
  std::vector<klab::client::TopicPartition> assignment;
  for (int p = 0; p < partitions; ++p) {
    end[p] = consumer.query_watermark_offsets(topic, p, scaled(10s)).high;
    assignment.push_back({topic, p, klab::client::offset_beginning, {}});
  }
  consumer.assign(assignment);
  std::vector<Consumed> out;
  std::set<int> at_end;
  bool done = klab::cluster::await_until(
      [&] {
        for (auto& record : consumer.poll_batch(500, 100ms)) {
          if (record.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (record.offset() >= end[record.partition()]) at_end.insert(record.partition());
          } else if (record.error()) {
            ADD_FAILURE() << record.error();
          } else {
            out.push_back({record.partition(), record.offset(),
                           record.key() ? std::optional<std::string>(*record.key()) : std::nullopt,
                           std::string(record.value().value_or(""))});
          }
        }
        return at_end.size() == static_cast<std::size_t>(partitions);
      },
      scaled(30s));
  EXPECT_TRUE(done) << "read of " << topic << " did not reach its end";
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::pair(a.partition, a.offset) < std::pair(b.partition, b.offset);
  });
  return out;
}

std::vector<std::string> values_of(const std::vector<Consumed>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.value);
  return out;
}
std::vector<std::int64_t> offsets_of(const std::vector<Consumed>& records) {
  std::vector<std::int64_t> out;
  for (const auto& r : records) out.push_back(r.offset);
  return out;
}

void send_all(Producer& producer, const std::string& topic,
              const std::vector<std::string>& values) {
  for (const auto& v : values)
    ASSERT_FALSE(producer.send({.topic = topic, .partition = 0, .value = v}));
  ASSERT_FALSE(producer.flush(scaled(30s)));
}

TEST(P5TransactionApi, CommittedTransactionIsVisibleToReadCommittedAndAbortedOneIsNot) {
  KLAB_ROADMAP("5.3.1");
  auto topic = unique_name("txn");
  klab::testing::create_topic(topic, 1, 3);
  auto producer = transactional_producer(unique_name("tx"));
  ASSERT_FALSE(producer.init_transactions(scaled(30s)));

  ASSERT_FALSE(producer.begin_transaction());
  send_all(producer, topic, {"c0", "c1", "c2"});  // offsets 0-2, commit marker 3
  ASSERT_FALSE(producer.commit_transaction(scaled(30s)));
  ASSERT_FALSE(producer.begin_transaction());
  send_all(producer, topic, {"a0", "a1"});  // offsets 4-5, abort marker 6
  ASSERT_FALSE(producer.abort_transaction(scaled(30s)));
  ASSERT_FALSE(producer.begin_transaction());
  send_all(producer, topic, {"c3"});  // offset 7, commit marker 8
  ASSERT_FALSE(producer.commit_transaction(scaled(30s)));

  auto committed = read_to_end(topic, 1, IsolationLevel::read_committed);
  auto uncommitted = read_to_end(topic, 1, IsolationLevel::read_uncommitted);
  EXPECT_EQ(values_of(committed), (std::vector<std::string>{"c0", "c1", "c2", "c3"}));
  EXPECT_EQ(offsets_of(committed), (std::vector<std::int64_t>{0, 1, 2, 7}));
  EXPECT_EQ(values_of(uncommitted), (std::vector<std::string>{"c0", "c1", "c2", "a0", "a1", "c3"}));
  EXPECT_EQ(offsets_of(uncommitted), (std::vector<std::int64_t>{0, 1, 2, 4, 5, 7}));
  klab::client::Admin admin(cluster().client_config());
  auto high = admin.watermark_offsets(topic, 0, scaled(10s)).high;
  EXPECT_EQ(high, 9) << "6 records + 3 transaction markers";
  std::cout << "5.3.1: 3 transactions (commit 3, abort 2, commit 1): read_committed "
            << committed.size() << " records, read_uncommitted " << uncommitted.size()
            << ", high watermark " << high << " (markers at 3, 6, 8)\n";
}

// Runs the pipeline process until it exits by itself (the crash run).
int run_to_exit(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  auto pid = klab::cluster::spawn_detached(argv, {.log_file = log, .die_with_parent = true});
  bool ended = klab::cluster::await_until([&] { return !klab::cluster::process_alive(pid); },
                                          scaled(120s), 100ms);
  if (!ended) kill(pid, SIGKILL);
  klab::cluster::reap_if_child(pid);
  return ended ? 0 : -1;
}

TEST(P5ExactlyOnce, CrashedPipelineLeavesEveryInputExactlyOnceForReadCommitted) {
  KLAB_ROADMAP("5.3.2");
  constexpr std::size_t inputs = 200;
  constexpr int crash_after = 130;
  auto input = unique_name("in"), output = unique_name("out");
  klab::testing::create_topic(input, 2, 3);
  klab::testing::create_topic(output, 1, 3);
  klab::testing::DeliveryLedger ledger(input);
  {
    auto config = cluster().client_config();
    config.enable_idempotence(true);
    Producer producer(config);
    for (std::size_t i = 0; i < inputs; ++i) ASSERT_FALSE(ledger.send(producer));
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
  auto group = unique_name("pipeline"), prefix = unique_name("tx");
  auto dir = std::filesystem::temp_directory_path() / unique_name("pipeline");
  std::filesystem::create_directories(dir);
  std::vector<std::string> argv{"env",
                                "KLAB_BOOTSTRAP=" + cluster().bootstrap(),
                                KLAB_TXN_PIPELINE,
                                input,
                                output,
                                group,
                                prefix,
                                "--max-poll-records",
                                "20"};

  // Run 1 dies (_exit) right after output 130 reached the log, its transaction still open.
  auto crash_argv = argv;
  crash_argv.insert(crash_argv.end(), {"--crash-after", std::to_string(crash_after)});
  ASSERT_EQ(run_to_exit(crash_argv, dir / "run1.log"), 0)
      << klab::cluster::tail_file(dir / "run1.log", 20);
  ASSERT_NE(klab::cluster::tail_file(dir / "run1.log", 20).find("crashing after"),
            std::string::npos)
      << klab::cluster::tail_file(dir / "run1.log", 20);
  auto committed_before = read_to_end(output, 1, IsolationLevel::read_committed);
  auto all_before = read_to_end(output, 1, IsolationLevel::read_uncommitted);
  const std::size_t open = all_before.size() - committed_before.size();
  EXPECT_EQ(all_before.size(), static_cast<std::size_t>(crash_after));
  EXPECT_GE(open, 1u) << "the crashed transaction's outputs are in the log";
  EXPECT_LT(committed_before.size(), inputs);

  // Run 2 fences run 1's transactional.id (aborting its open transaction) and finishes.
  auto pid =
      klab::cluster::spawn_detached(argv, {.log_file = dir / "run2.log", .die_with_parent = true});
  Consumer watcher(reader_config(IsolationLevel::read_committed));
  watcher.assign({{output, 0, klab::client::offset_beginning, {}}});
  std::size_t seen = 0;
  bool complete = klab::cluster::await_until(
      [&] {
        for (auto& r : watcher.poll_batch(500, 100ms))
          if (!r.error()) ++seen;
        return seen >= inputs;
      },
      scaled(120s));
  kill(pid, SIGTERM);
  bool stopped =
      klab::cluster::await_until([&] { return !klab::cluster::process_alive(pid); }, scaled(60s));
  if (!stopped) kill(pid, SIGKILL);
  klab::cluster::reap_if_child(pid);
  ASSERT_TRUE(complete) << "read_committed saw " << seen << " of " << inputs << "\n"
                        << klab::cluster::tail_file(dir / "run2.log", 20);
  EXPECT_TRUE(stopped);

  auto committed = ledger.compute(read_to_end(output, 1, IsolationLevel::read_committed));
  auto all = ledger.compute(read_to_end(output, 1, IsolationLevel::read_uncommitted));
  EXPECT_EQ(committed.consumed_unique, inputs) << committed;
  EXPECT_EQ(committed.duplicates, 0u) << committed;
  EXPECT_EQ(committed.lost, 0u) << committed;
  EXPECT_EQ(all.consumed_unique, inputs) << all;
  EXPECT_EQ(all.duplicates, open) << "read_uncommitted also sees the aborted attempt\n" << all;
  std::cout << "5.3.2: " << inputs << " inputs, crash after " << crash_after << " outputs ("
            << committed_before.size() << " committed, " << open
            << " in the open transaction); after the rerun read_committed: "
            << committed.consumed_unique << " unique, " << committed.duplicates
            << " duplicates; read_uncommitted: " << all.consumed_unique << " unique, "
            << all.duplicates << " duplicates\n"
            << "read_committed:\n"
            << committed << "\nread_uncommitted:\n"
            << all << '\n';
  std::filesystem::remove_all(dir);
}

TEST(P5TransactionalProducer, SecondProducerWithTheSameTransactionalIdFencesTheFirst) {
  KLAB_ROADMAP("5.3.3");
  auto topic = unique_name("zombie");
  klab::testing::create_topic(topic, 1, 3);
  auto id = unique_name("tx");
  auto zombie = transactional_producer(id);
  ASSERT_FALSE(zombie.init_transactions(scaled(30s)));
  ASSERT_FALSE(zombie.begin_transaction());
  send_all(zombie, topic, {"zombie-1"});  // in the log, transaction open

  auto successor = transactional_producer(id);
  ASSERT_FALSE(successor.init_transactions(scaled(30s)));  // bumps the epoch, aborts zombie's
  (void)zombie.send({.topic = topic, .partition = 0, .value = "zombie-2"});
  auto commit = zombie.commit_transaction(scaled(30s));
  auto cause = klab::Error::fatal_error_of(zombie.native());
  EXPECT_TRUE(commit.fatal()) << commit;
  EXPECT_TRUE(cause == RD_KAFKA_RESP_ERR_PRODUCER_FENCED || cause == RD_KAFKA_RESP_ERR__FENCED ||
              cause == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
      << cause;
  EXPECT_TRUE(zombie.begin_transaction().fatal()) << "a fenced producer stays unusable";

  ASSERT_FALSE(successor.begin_transaction());
  send_all(successor, topic, {"successor"});
  ASSERT_FALSE(successor.commit_transaction(scaled(30s)));
  auto committed = read_to_end(topic, 1, IsolationLevel::read_committed);
  EXPECT_EQ(values_of(committed), (std::vector<std::string>{"successor"}));
  auto all = read_to_end(topic, 1, IsolationLevel::read_uncommitted);
  EXPECT_EQ(values_of(all), (std::vector<std::string>{"zombie-1", "successor"}))
      << "zombie-1 stays in the log, aborted; zombie-2 was refused (old epoch)";
  std::cout << "5.3.3: zombie commit -> " << commit.name() << ", cause " << cause.name()
            << "; read_committed " << committed.size() << " record, read_uncommitted " << all.size()
            << " (the zombie's aborted ones included)\n";
}

TEST(P5TransactionalConsumer, OpenTransactionHoldsReadCommittedAtTheLastStableOffset) {
  KLAB_ROADMAP("5.3.4");
  auto topic = unique_name("lso");
  klab::testing::create_topic(topic, 1, 3);
  Producer plain(cluster().client_config());
  send_all(plain, topic, {"p0", "p1"});  // offsets 0, 1
  auto txn = transactional_producer(unique_name("tx"));
  ASSERT_FALSE(txn.init_transactions(scaled(30s)));
  ASSERT_FALSE(txn.begin_transaction());
  send_all(txn, topic, {"t0", "t1", "t2"});  // offsets 2-4, open
  send_all(plain, topic, {"p2", "p3"});      // offsets 5-6, not transactional

  Consumer committed(reader_config(IsolationLevel::read_committed));
  const auto lso = committed.last_stable_offset(topic, 0, scaled(10s));
  const auto high = committed.query_watermark_offsets(topic, 0, scaled(10s)).high;
  auto uncommitted_read = read_to_end(topic, 1, IsolationLevel::read_uncommitted);
  EXPECT_EQ(lso, 2);
  EXPECT_EQ(Consumer(reader_config(IsolationLevel::read_uncommitted))
                .query_watermark_offsets(topic, 0, scaled(10s))
                .high,
            7);
  EXPECT_EQ(high, 2) << "a read_committed consumer's 'high' is the LSO";
  EXPECT_EQ(values_of(uncommitted_read),
            (std::vector<std::string>{"p0", "p1", "t0", "t1", "t2", "p2", "p3"}));

  // read_committed reads up to the LSO and stops there: p2, p3 wait behind the open t0-t2.
  committed.assign({{topic, 0, klab::client::offset_beginning, {}}});
  std::vector<std::string> read;
  bool at_lso = klab::cluster::await_until(
      [&] {
        for (auto& r : committed.poll_batch(500, 100ms)) {
          if (r.error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) return true;
          if (!r.error()) read.emplace_back(r.value().value_or(""));
        }
        return false;
      },
      scaled(30s));
  ASSERT_TRUE(at_lso);
  EXPECT_EQ(read, (std::vector<std::string>{"p0", "p1"}));
  auto position = committed.position({{topic, 0, klab::client::offset_invalid, {}}}).at(0).offset;
  EXPECT_EQ(position, 2) << "the position does not pass the LSO";

  ASSERT_FALSE(txn.commit_transaction(scaled(30s)));  // marker at 7
  bool rest = klab::cluster::await_until(
      [&] {
        for (auto& r : committed.poll_batch(500, 100ms))
          if (!r.error()) read.emplace_back(r.value().value_or(""));
        return read.size() >= 7;
      },
      scaled(30s));
  ASSERT_TRUE(rest);
  EXPECT_EQ(read, (std::vector<std::string>{"p0", "p1", "t0", "t1", "t2", "p2", "p3"}));
  auto lso_after = 0L;
  EXPECT_TRUE(klab::cluster::await_until(
      [&] { return (lso_after = committed.last_stable_offset(topic, 0, scaled(10s))) == 8; },
      scaled(30s)));
  std::cout << "5.3.4: open transaction at 2: LSO " << lso << ", high watermark 7; read_committed "
            << "stopped at position " << position << " after 2 records, read_uncommitted read "
            << uncommitted_read.size() << "; after commit LSO " << lso_after << ", read_committed "
            << read.size() << " records\n";
}

}  // namespace
