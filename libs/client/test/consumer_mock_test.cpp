// Consumer features against librdkafka's in-process mock cluster (NOT a real Kafka broker): the
// mock runs real consumer groups (JoinGroup / SyncGroup / Heartbeat, commits), so rebalances,
// offset storage, batches and seeks are librdkafka's real client code paths.
// Not here: offsets_for_times. librdkafka 2.0.2's mock answers every ListOffsets by timestamp
// with -1 ("FIXME: by timestamp"), so that test runs against a real broker
// (consumer_broker_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/typed_consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/mock_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using namespace klab::client;
using klab::cluster::scaled;

bool await_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return klab::cluster::await_until(condition, scaled(timeout), 5ms);
}

/// Every rebalance event one consumer's listener heard, in order.
class RebalanceLog {
 public:
  RebalanceListener listener() {
    return [this](Consumer&, const RebalanceEvent& e) {
      std::lock_guard lock(mutex_);
      events_.push_back(e);
    };
  }
  std::vector<RebalanceEvent> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<RebalanceEvent> events_;
};

std::set<std::int32_t> partitions_of(const std::vector<TopicPartition>& tps) {
  std::set<std::int32_t> out;
  for (const auto& tp : tps) out.insert(tp.partition);
  return out;
}

std::vector<RebalanceEvent> of_kind(const std::vector<RebalanceEvent>& events, RebalanceKind kind) {
  std::vector<RebalanceEvent> out;
  for (const auto& e : events)
    if (e.kind == kind) out.push_back(e);
  return out;
}

class ConsumerMockBase : public klab::testing::MockClusterTest {
 protected:
  std::string topic(int partitions) {
    auto name = std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
                std::to_string(counter_++);
    mock_.create_topic(name, partitions, 1);
    return name;
  }

  std::string group() {
    return std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "-g" +
           std::to_string(counter_++);
  }

  /// A group consumer that starts at the beginning and commits only when told. The mock
  /// delays a rebalance by session.timeout.ms - 1000: a short session keeps tests quick.
  Config consumer_config(const std::string& group_id) const {
    auto c = mock_.client_config();
    c.group_id(group_id)
        .auto_offset_reset(OffsetReset::earliest)
        .enable_auto_commit(false)
        .session_timeout_ms(2500)
        .heartbeat_interval_ms(200)
        .log_level(0);
    return c;
  }

  void produce(const std::string& t, int n, std::int32_t partition = 0) {
    Producer producer(mock_.client_config());
    for (int i = 0; i < n; ++i) {
      auto rep = producer.send_sync(
          {.topic = t, .partition = partition, .value = "v" + std::to_string(i)}, scaled(10s));
      ASSERT_FALSE(rep.error) << rep.error;
    }
  }

  /// Polls until `n` records (not error events) arrived or the deadline passed.
  static std::vector<Record> consume(Consumer& consumer, std::size_t n,
                                     std::chrono::milliseconds timeout = 20s) {
    std::vector<Record> out;
    auto deadline = std::chrono::steady_clock::now() + scaled(timeout);
    while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
      auto r = consumer.poll(50ms);
      if (r && !r->error()) out.push_back(std::move(*r));
    }
    return out;
  }

  int counter_ = 0;
};

using RebalanceListenerOnMockCluster = ConsumerMockBase;
using ConsumerOnMockCluster = ConsumerMockBase;
using TypedConsumerOnMockCluster = ConsumerMockBase;

/// Polls both consumers in turn (rebalances run inside poll) until `done` holds.
bool poll_both_until(Consumer& a, Consumer& b, const std::function<bool()>& done,
                     std::chrono::milliseconds timeout = 30s) {
  return await_until(
      [&] {
        a.poll(20ms);
        b.poll(20ms);
        return done();
      },
      timeout);
}

TEST_F(RebalanceListenerOnMockCluster, EagerAssignRevokeOnSecondMemberJoining) {
  auto t = topic(4);
  auto g = group();
  RebalanceLog log1, log2;
  auto c1_config = consumer_config(g);
  c1_config.partition_assignment_strategy("range").rebalance_listener(log1.listener());
  auto c2_config = consumer_config(g);
  c2_config.partition_assignment_strategy("range").rebalance_listener(log2.listener());

  Consumer c1(c1_config);
  c1.subscribe({t});
  ASSERT_TRUE(await_until(
      [&] {
        c1.poll(20ms);
        return c1.assignment().size() == 4;
      },
      20s))
      << "the only member gets every partition, without the test calling assign()";
  EXPECT_EQ(c1.rebalance_protocol(), "EAGER");

  Consumer c2(c2_config);
  c2.subscribe({t});
  ASSERT_TRUE(poll_both_until(
      c1, c2, [&] { return c1.assignment().size() == 2 && c2.assignment().size() == 2; }));

  // assigned(4), revoked(4), assigned(2); on a loaded machine the group may take one more round
  // (a member slow to rejoin), which repeats revoke-all and assign: eager in every round.
  auto e1 = log1.events();
  ASSERT_GE(e1.size(), 3u);
  ASSERT_EQ(e1.size() % 2, 1u) << "every revoke is followed by an assign";
  EXPECT_EQ(e1[0].kind, RebalanceKind::assigned);
  EXPECT_EQ(e1[0].partitions.size(), 4u);
  std::size_t owned = e1[0].partitions.size();
  for (std::size_t i = 1; i + 1 < e1.size(); i += 2) {
    EXPECT_EQ(e1[i].kind, RebalanceKind::revoked);
    EXPECT_EQ(e1[i].partitions.size(), owned) << "eager: everything is revoked, even what stays";
    EXPECT_EQ(e1[i + 1].kind, RebalanceKind::assigned);
    owned = e1[i + 1].partitions.size();
  }
  EXPECT_EQ(e1.back().partitions.size(), 2u);
  for (const auto& e : e1) EXPECT_FALSE(e.cooperative);

  auto e2 = of_kind(log2.events(), RebalanceKind::assigned);
  ASSERT_FALSE(e2.empty());
  auto mine = partitions_of(e1.back().partitions);
  auto theirs = partitions_of(e2.back().partitions);
  std::set<std::int32_t> all(mine.begin(), mine.end());
  all.insert(theirs.begin(), theirs.end());
  EXPECT_EQ(all, (std::set<std::int32_t>{0, 1, 2, 3})) << "disjoint halves covering the topic";
  EXPECT_EQ(mine.size() + theirs.size(), 4u);
}

TEST_F(RebalanceListenerOnMockCluster, CooperativeRevokesOnlyPartitionsThatMove) {
  auto t = topic(4);
  auto g = group();
  RebalanceLog log1, log2;
  auto c1_config = consumer_config(g);
  c1_config.partition_assignment_strategy("cooperative-sticky").rebalance_listener(log1.listener());
  auto c2_config = consumer_config(g);
  c2_config.partition_assignment_strategy("cooperative-sticky").rebalance_listener(log2.listener());

  Consumer c1(c1_config);
  c1.subscribe({t});
  ASSERT_TRUE(await_until(
      [&] {
        c1.poll(20ms);
        return c1.assignment().size() == 4;
      },
      20s));
  EXPECT_EQ(c1.rebalance_protocol(), "COOPERATIVE");

  Consumer c2(c2_config);
  c2.subscribe({t});
  ASSERT_TRUE(poll_both_until(
      c1, c2, [&] { return c1.assignment().size() == 2 && c2.assignment().size() == 2; }));

  auto e1 = log1.events();
  ASSERT_FALSE(e1.empty());
  EXPECT_EQ(e1[0].kind, RebalanceKind::assigned);
  EXPECT_EQ(e1[0].partitions.size(), 4u);
  for (const auto& e : e1) EXPECT_TRUE(e.cooperative);

  auto revoked = of_kind(e1, RebalanceKind::revoked);
  ASSERT_EQ(revoked.size(), 1u) << "one incremental revoke";
  auto gone = partitions_of(revoked[0].partitions);
  EXPECT_EQ(gone.size(), 2u) << "a strict subset: only what moves to the new member";
  auto kept = partitions_of(c1.assignment());
  for (auto p : gone) EXPECT_FALSE(kept.count(p)) << "partition " << p << " moved away";
  EXPECT_EQ(kept.size() + gone.size(), 4u) << "what was not revoked stayed, never unassigned";
  EXPECT_TRUE(of_kind(e1, RebalanceKind::lost).empty());

  auto assigned2 = of_kind(log2.events(), RebalanceKind::assigned);
  std::set<std::int32_t> got;
  for (const auto& e : assigned2)
    for (const auto& tp : e.partitions) got.insert(tp.partition);
  EXPECT_EQ(got, gone) << "the new member got exactly the revoked partitions";
}

// librdkafka 2.0.2 can hang forever in rd_kafka_consumer_close() when a cooperative assignment
// arrives while it closes (librdkafka issue #4527); the Consumer gives its partitions back
// before closing. Members join and leave at random moments, so closes land mid-rebalance.
TEST_F(RebalanceListenerOnMockCluster, CooperativeConsumersClosedMidRebalanceNeverHang) {
  auto t = topic(6);
  constexpr int rounds = 10;
  constexpr int members = 3;
  std::mt19937 random(std::random_device{}());
  int revokes_heard = 0;
  for (int round = 0; round < rounds; ++round) {
    auto g = group();
    std::vector<int> lifetimes_ms;
    for (int i = 0; i < members; ++i)
      lifetimes_ms.push_back(std::uniform_int_distribution<int>(100, 4000)(random));
    std::vector<RebalanceLog> logs(members);
    auto finished = std::async(std::launch::async, [&] {
      std::vector<std::jthread> threads;
      for (int i = 0; i < members; ++i)
        threads.emplace_back([&, i] {
          auto c = consumer_config(g);
          c.partition_assignment_strategy("cooperative-sticky")
              .rebalance_listener(logs[i].listener());
          Consumer consumer(c);
          consumer.subscribe({t});
          auto until =
              std::chrono::steady_clock::now() + std::chrono::milliseconds(lifetimes_ms[i]);
          while (std::chrono::steady_clock::now() < until) consumer.poll(20ms);
        });  // ~Consumer closes here, often while the group rebalances
    });
    if (finished.wait_for(scaled(60s)) != std::future_status::ready) {
      ADD_FAILURE() << "round " << round << ": a cooperative consumer's close hung";
      std::fflush(nullptr);
      std::_Exit(1);  // the hung thread cannot be joined; end the binary with the failure shown
    }
    for (const auto& l : logs)
      revokes_heard += static_cast<int>(of_kind(l.events(), RebalanceKind::revoked).size());
  }
  std::cout << rounds << " rounds of " << members << " cooperative members closed at random "
            << "moments; " << revokes_heard << " revocations heard\n";
  EXPECT_GT(revokes_heard, 0) << "members gave partitions back while closing";
}

TEST_F(RebalanceListenerOnMockCluster, ListenerCanCommitDuringTheRevokeOfClose) {
  auto t = topic(1);
  produce(t, 3);
  auto g = group();
  std::vector<RebalanceKind> heard;
  klab::Error commit_error(RD_KAFKA_RESP_ERR__STATE, "the listener never committed");
  auto c = consumer_config(g);
  c.rebalance_listener([&](Consumer& consumer, const RebalanceEvent& e) {
    heard.push_back(e.kind);
    if (e.kind != RebalanceKind::revoked) return;
    try {
      consumer.commit_sync();  // the classic "commit what I processed before I lose it"
      commit_error = {};
    } catch (const klab::KafkaException& ex) {
      commit_error = ex.error();
    }
  });
  {
    Consumer consumer(c);
    consumer.subscribe({t});
    ASSERT_EQ(consume(consumer, 3).size(), 3u);
    EXPECT_FALSE(consumer.close());
    EXPECT_TRUE(consumer.closed());
  }
  EXPECT_EQ(heard, (std::vector<RebalanceKind>{RebalanceKind::assigned, RebalanceKind::revoked}));
  EXPECT_FALSE(commit_error) << "the consumer is still open while close() revokes: "
                             << commit_error;
  // A bystander of the same group (it never subscribes) reads what the listener committed.
  Consumer reader(consumer_config(g));
  EXPECT_EQ(reader.committed({{t, 0}}, scaled(10s)).at(0).offset, 3);
}

TEST_F(RebalanceListenerOnMockCluster, NotPollingPastMaxPollIntervalReportsThePartitionsLost) {
  auto t = topic(2);
  RebalanceLog log;
  auto c = consumer_config(group());
  c.max_poll_interval_ms(3000).rebalance_listener(log.listener());
  Consumer consumer(c);
  consumer.subscribe({t});
  ASSERT_TRUE(await_until(
      [&] {
        consumer.poll(20ms);
        return consumer.assignment().size() == 2;
      },
      20s));
  // The experiment: "processing" that takes longer than max.poll.interval.ms.
  std::this_thread::sleep_for(4s);
  std::vector<klab::Error> errors;
  ASSERT_TRUE(await_until(
      [&] {
        if (auto r = consumer.poll(20ms); r && r->error()) errors.push_back(r->error());
        return !of_kind(log.events(), RebalanceKind::lost).empty();
      },
      20s));
  auto lost = of_kind(log.events(), RebalanceKind::lost);
  EXPECT_EQ(partitions_of(lost[0].partitions), (std::set<std::int32_t>{0, 1}));
  EXPECT_TRUE(of_kind(log.events(), RebalanceKind::revoked).empty())
      << "lost, not an orderly revoke: the group already moved on";
  bool saw_max_poll = false;
  for (const auto& e : errors) saw_max_poll |= e == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED;
  EXPECT_TRUE(saw_max_poll) << "poll() also returned _MAX_POLL_EXCEEDED";
}

TEST_F(ConsumerOnMockCluster, StoreOffsetThenCommitCommitsOnlyProcessedRecords) {
  auto t = topic(1);
  produce(t, 10);
  auto c = consumer_config(group());
  c.set(keys::enable_auto_offset_store, "false");
  Consumer consumer(c);
  consumer.subscribe({t});
  auto records = consume(consumer, 10);
  ASSERT_EQ(records.size(), 10u);
  // "Process" the first four; the other six were fetched and returned but not handled.
  for (int i = 0; i < 4; ++i) consumer.store_offset(records[static_cast<std::size_t>(i)]);
  consumer.commit_sync();  // offset-less: commits what was stored, not the position
  auto committed = consumer.committed({{t, 0}}, scaled(5s));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, 4) << "the next record to process after offsets 0..3";
  EXPECT_EQ(consumer.position({{t, 0}}).at(0).offset, 10) << "while the position ran ahead";

  consumer.store_offsets({{t, 0, 7}});
  consumer.commit_sync();
  EXPECT_EQ(consumer.committed({{t, 0}}, scaled(5s)).at(0).offset, 7)
      << "store_offsets stores exactly what it is given";
}

TEST_F(ConsumerOnMockCluster, PollBatchReturnsUpToMaxRecords) {
  auto t = topic(1);
  produce(t, 20);
  Consumer consumer(consumer_config(group()));
  consumer.assign({{t, 0, offset_beginning}});
  std::vector<std::int64_t> offsets;
  std::size_t largest = 0;
  ASSERT_TRUE(await_until(
      [&] {
        auto batch = consumer.poll_batch(5, 100ms);
        EXPECT_LE(batch.size(), 5u);
        largest = std::max(largest, batch.size());
        for (const auto& r : batch) {
          EXPECT_FALSE(r.error()) << r.error();
          offsets.push_back(r.offset());
        }
        return offsets.size() >= 20;
      },
      20s));
  EXPECT_EQ(largest, 5u) << "the fetch brought all 20: batches fill up to the maximum";
  ASSERT_EQ(offsets.size(), 20u);
  for (std::size_t i = 0; i < offsets.size(); ++i)
    EXPECT_EQ(offsets[i], static_cast<std::int64_t>(i));

  // Fewer records than the maximum: what is there comes back without waiting out the timeout.
  produce(t, 3);
  std::vector<Record> rest;
  auto started = std::chrono::steady_clock::now();
  while (rest.size() < 3 && std::chrono::steady_clock::now() - started < scaled(10s)) {
    auto batch = consumer.poll_batch(100, scaled(30s));
    for (auto& r : batch) rest.push_back(std::move(r));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, scaled(10s));
  EXPECT_EQ(rest.size(), 3u);
  EXPECT_TRUE(consumer.poll_batch(10, 200ms).empty()) << "nothing left: empty after the timeout";
}

TEST_F(ConsumerOnMockCluster, SeekToBeginningAndEndMoveThePosition) {
  auto t = topic(1);
  produce(t, 5);
  Consumer consumer(consumer_config(group()));
  consumer.assign({{t, 0, offset_beginning}});
  auto first = consume(consumer, 5);
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(consumer.position({{t, 0}}).at(0).offset, 5);

  consumer.seek_to_beginning({{t, 0}}, scaled(5s));
  auto again = consume(consumer, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].offset(), 0) << "re-read from the first record";

  consumer.seek_to_end({{t, 0}}, scaled(5s));
  produce(t, 1);
  auto next = consume(consumer, 1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset(), 5) << "the old records 1..4 were skipped";
}

TEST_F(ConsumerOnMockCluster, GroupMetadataIsAvailableAfterJoining) {
  auto t = topic(1);
  Consumer consumer(consumer_config(group()));
  consumer.subscribe({t});
  ASSERT_TRUE(await_until(
      [&] {
        consumer.poll(20ms);
        return consumer.assignment().size() == 1;
      },
      20s));
  auto metadata = consumer.group_metadata();
  EXPECT_NE(metadata.get(), nullptr);
  EXPECT_FALSE(consumer.member_id().empty());
}

TEST_F(TypedConsumerOnMockCluster, PoisonPillComesBackAsAnErrorAndTheNextRecordIsRead) {
  auto t = topic(1);
  {
    Producer producer(mock_.client_config());
    for (const char* value : {"not json", "42"}) {
      auto rep = producer.send_sync({.topic = t, .key = "k", .value = value}, scaled(10s));
      ASSERT_FALSE(rep.error) << rep.error;
    }
  }
  TypedConsumer<std::string, int> consumer(consumer_config(group()));
  consumer.raw().subscribe({t});

  std::vector<TypedConsumer<std::string, int>::Message> messages;
  ASSERT_TRUE(await_until(
      [&] {
        auto m = consumer.poll(50ms);
        if (m && !m->is_error_event()) messages.push_back(std::move(*m));
        return messages.size() == 2;
      },
      20s));

  auto& pill = messages[0];
  EXPECT_EQ(pill.record.offset(), 0);
  EXPECT_FALSE(pill.ok());
  ASSERT_TRUE(pill.key) << pill.key.error();
  EXPECT_EQ(pill.key.value(), "k");
  EXPECT_FALSE(pill.value);
  EXPECT_EQ(pill.value.error().code(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION)
      << pill.value.error();
  EXPECT_EQ(pill.record.value(), "not json") << "the raw bytes stay available for parking";
  // The caller parks it (here: commits past it) and carries on.
  consumer.raw().commit_sync(pill.record);

  auto& good = messages[1];
  EXPECT_EQ(good.record.offset(), 1);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value.value(), 42);
}

}  // namespace
