// 6.2.3 Batch listeners: one call per poll batch (at most max_poll_records), and
// BatchListenerFailedException to say which record failed. 6.2.4 Concurrent consumers:
// `concurrency` threads in one group share the partitions; one partition, one thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/batch_listener_failed_exception.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::BatchListenerContext;
using klab::framework::BatchListenerFailedException;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::consumer_config;
using klab::testing::numbered_values;
using klab::testing::unique_name;
using klab::testing::value_of;

// Partitions per member once the group is Stable with `members` members; empty until then.
std::vector<std::size_t> stable_assignment(const std::string& group, std::size_t members) {
  klab::client::GroupDescription description;
  try {
    description = klab::client::Admin(cluster().client_config()).describe_group(group);
  } catch (const klab::KafkaException&) {
    return {};  // e.g. COORDINATOR_LOAD_IN_PROGRESS on a fresh cluster
  }
  if (description.state != "Stable" || description.members.size() != members) return {};
  std::vector<std::size_t> sizes;
  for (const auto& member : description.members) sizes.push_back(member.assignment.size());
  std::sort(sizes.begin(), sizes.end());
  return sizes;
}

std::string join(const std::vector<std::size_t>& sizes) {
  std::string text;
  for (auto size : sizes) text += (text.empty() ? "" : ",") + std::to_string(size);
  return "{" + text + "}";
}

TEST(P6BatchListener, BatchesNeverExceedMaxPollRecordsAndEveryRecordArrivesOnceInOrder) {
  KLAB_ROADMAP("6.2.3");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  for (int p = 0; p < 3; ++p)
    klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 100), p);
  auto group = unique_name("g");
  std::mutex mutex;
  std::vector<std::size_t> sizes;
  std::map<int, std::vector<std::int64_t>> offsets;  // per partition, in arrival order
  std::atomic<int> total{0};
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .max_poll_records = 50},
      [&](const BatchListenerContext& ctx) {
        std::lock_guard lock(mutex);
        sizes.push_back(ctx.records.size());
        for (const auto& record : ctx.records)
          offsets[record.partition()].push_back(record.offset());
        total += static_cast<int>(ctx.records.size());
      });
  container.start();
  ASSERT_TRUE(await_until([&] { return total >= 300; }, scaled(30s))) << total;
  container.stop();

  const auto largest = *std::max_element(sizes.begin(), sizes.end());
  EXPECT_LE(largest, 50u) << "max_poll_records caps every batch";
  EXPECT_EQ(total, 300) << "no record twice";
  for (int p = 0; p < 3; ++p) {
    std::vector<std::int64_t> expected(100);
    for (int i = 0; i < 100; ++i) expected[i] = i;
    EXPECT_EQ(offsets[p], expected) << "partition " << p << ": each offset once, in order";
    EXPECT_EQ(committed_offset(group, topic, p), 100) << "AckMode::batch committed each batch";
  }
  std::cout << "[6.2.3] 300 records (3 partitions) in " << sizes.size() << " batches, largest "
            << largest << " (max_poll_records=50), 0 duplicates\n";
}

TEST(P6BatchListener, RecordsBeforeTheFailedIndexAreCommittedAndNotRedelivered) {
  KLAB_ROADMAP("6.2.3");
  auto topic = unique_name("payments");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 20));
  std::vector<std::string> recovered;
  DefaultErrorHandler handler(FixedBackOff{0ms, 1},
                              [&](const klab::client::Record& record, const std::exception_ptr&) {
                                recovered.push_back(value_of(record));  // one consumer thread
                              });
  auto group = unique_name("g");
  std::mutex mutex;
  std::map<std::string, int> handled;
  std::int64_t committed_at_retry = -2;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const BatchListenerContext& ctx) {
        std::lock_guard lock(mutex);
        for (std::size_t i = 0; i < ctx.records.size(); ++i) {
          auto value = value_of(ctx.records[i]);
          if (value == "12") {
            if (handled[value]++ == 1) {
              // The retry: what did the failed batch leave committed?
              committed_at_retry = ctx.consumer.committed({{topic, 0}}, scaled(10s)).at(0).offset;
            }
            throw BatchListenerFailedException(i, "payment 12 rejected");
          }
          ++handled[value];
        }
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 20; }, scaled(30s)));
  container.stop();

  std::lock_guard lock(mutex);
  EXPECT_EQ(committed_at_retry, 12) << "0..11 committed when 12 failed";
  for (int i = 0; i < 20; ++i) {
    if (i == 12) continue;
    EXPECT_EQ(handled[std::to_string(i)], 1) << i << " handled exactly once";
  }
  EXPECT_EQ(handled["12"], 2) << "first try + 1 retry";
  EXPECT_EQ(recovered, std::vector<std::string>{"12"}) << "then recovered, alone";
  std::cout << "[6.2.3] BatchListenerFailedException at '12': committed offset 12 before the "
               "retry, '12' tried 2x then recovered, the other 19 records handled once each\n";
}

TEST(P6ConcurrentConsumers, ConcurrencyThreeOnSixPartitionsGivesEachPartitionToOneThread) {
  KLAB_ROADMAP("6.2.4");
  auto topic = unique_name("six");
  klab::testing::create_topic(topic, 6, 1);
  auto group = unique_name("g");
  std::mutex mutex;
  std::map<int, std::set<std::thread::id>> threads_by_partition;
  std::map<std::thread::id, std::set<int>> partitions_by_thread;
  std::multiset<std::string> values;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .concurrency = 3}, [&](const ListenerContext& ctx) {
        std::lock_guard lock(mutex);
        threads_by_partition[ctx.record.partition()].insert(std::this_thread::get_id());
        partitions_by_thread[std::this_thread::get_id()].insert(ctx.record.partition());
        values.insert(std::to_string(ctx.record.partition()) + ":" + value_of(ctx.record));
      });
  container.start();
  // Produce once the group settled, so no partition changes hands mid-test.
  std::vector<std::size_t> assignment;
  ASSERT_TRUE(await_until([&] { return !(assignment = stable_assignment(group, 3)).empty(); },
                          scaled(60s)));
  EXPECT_EQ(assignment, (std::vector<std::size_t>{2, 2, 2}));
  for (int p = 0; p < 6; ++p)
    klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 20), p);
  ASSERT_TRUE(await_until(
      [&] {
        std::lock_guard lock(mutex);
        return values.size() >= 120;
      },
      scaled(30s)));
  container.stop();

  std::lock_guard lock(mutex);
  EXPECT_EQ(values.size(), 120u);
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()).size(), 120u) << "once each";
  ASSERT_EQ(threads_by_partition.size(), 6u);
  for (const auto& [partition, threads] : threads_by_partition)
    EXPECT_EQ(threads.size(), 1u) << "partition " << partition << " had one thread";
  std::vector<std::size_t> per_thread;
  for (const auto& [thread, partitions] : partitions_by_thread)
    per_thread.push_back(partitions.size());
  std::sort(per_thread.begin(), per_thread.end());
  EXPECT_EQ(per_thread, (std::vector<std::size_t>{2, 2, 2}));
  std::cout << "[6.2.4] concurrency=3, 6 partitions: partitions per thread " << join(per_thread)
            << ", 120/120 records handled once, 1 thread per partition\n";
}

TEST(P6ConcurrentConsumers, ConcurrencyFourOnTwoPartitionsLeavesTwoThreadsIdle) {
  KLAB_ROADMAP("6.2.4");
  auto topic = unique_name("two");
  klab::testing::create_topic(topic, 2, 1);
  auto group = unique_name("g");
  std::mutex mutex;
  std::map<std::thread::id, std::set<int>> partitions_by_thread;
  std::size_t handled = 0;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .concurrency = 4}, [&](const ListenerContext& ctx) {
        std::lock_guard lock(mutex);
        partitions_by_thread[std::this_thread::get_id()].insert(ctx.record.partition());
        ++handled;
      });
  container.start();
  std::vector<std::size_t> assignment;
  ASSERT_TRUE(await_until([&] { return !(assignment = stable_assignment(group, 4)).empty(); },
                          scaled(60s)));
  EXPECT_EQ(assignment, (std::vector<std::size_t>{0, 0, 1, 1}))
      << "4 members, 2 partitions: two members get nothing";
  for (int p = 0; p < 2; ++p)
    klab::testing::produce_values(cluster().client_config(), topic, numbered_values(0, 25), p);
  ASSERT_TRUE(await_until(
      [&] {
        std::lock_guard lock(mutex);
        return handled >= 50;
      },
      scaled(30s)));
  container.stop();

  std::lock_guard lock(mutex);
  EXPECT_EQ(handled, 50u);
  EXPECT_EQ(partitions_by_thread.size(), 2u) << "only the two threads with a partition worked";
  std::cout << "[6.2.4] concurrency=4, 2 partitions: group assignment " << join(assignment) << ", "
            << partitions_by_thread.size() << " of 4 threads handled the 50 records\n";
}

}  // namespace
