// ConcurrentListenerContainer on a real broker: partitions split over threads, commits per ack
// mode, graceful stop, retries and dead-lettering.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::AckMode;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::ContainerProperties;
using klab::framework::DeadLetterPublishingRecoverer;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::consumer_config;
using klab::testing::unique_name;

// What the listener saw, shared with the test thread.
struct Seen {
  std::mutex mutex;
  std::vector<std::string> values;
  std::map<std::thread::id, std::set<int>> partitions_by_thread;

  void add(const ListenerContext& ctx) {
    std::lock_guard lock(mutex);
    values.emplace_back(ctx.record.value().value_or(""));
    partitions_by_thread[std::this_thread::get_id()].insert(ctx.record.partition());
  }
  std::size_t size() {
    std::lock_guard lock(mutex);
    return values.size();
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return values;
  }
};

TEST(ListenerContainerOnBroker, ConcurrencyThreeSplitsSixPartitionsAndEachRecordIsHandledOnce) {
  auto topic = unique_name("six");
  klab::testing::create_topic(topic, 6, 1);
  auto group = unique_name("g");
  Seen seen;
  ConcurrentListenerContainer container(consumer_config(cluster().client_config(), group),
                                        {.topics = {topic}, .group_id = group, .concurrency = 3},
                                        [&](const ListenerContext& ctx) { seen.add(ctx); });
  container.start();
  // Produce only once the group settled, so each thread keeps its two partitions throughout.
  klab::client::Admin admin(cluster().client_config());
  ASSERT_TRUE(await_until(
      [&] {
        klab::client::GroupDescription g;
        try {
          g = admin.describe_group(group);
        } catch (const klab::KafkaException&) {
          return false;  // e.g. COORDINATOR_LOAD_IN_PROGRESS on a fresh cluster
        }
        if (g.state != "Stable" || g.members.size() != 3) return false;
        for (const auto& m : g.members)
          if (m.assignment.size() != 2) return false;
        return true;
      },
      scaled(60s)))
      << "three members with two partitions each";

  std::set<std::string> sent;
  for (int p = 0; p < 6; ++p) {
    std::vector<std::string> values;
    for (int i = 0; i < 10; ++i)
      values.push_back("p" + std::to_string(p) + "-" + std::to_string(i));
    sent.insert(values.begin(), values.end());
    klab::testing::produce_values(cluster().client_config(), topic, values, p);
  }
  ASSERT_TRUE(await_until([&] { return seen.size() >= 60; }, scaled(30s))) << seen.size();
  container.stop();

  auto values = seen.snapshot();
  EXPECT_EQ(values.size(), 60u) << "no record handled twice";
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()), sent);
  ASSERT_EQ(seen.partitions_by_thread.size(), 3u) << "three threads did the work";
  for (const auto& [thread, partitions] : seen.partitions_by_thread)
    EXPECT_EQ(partitions.size(), 2u);
  for (int p = 0; p < 6; ++p) EXPECT_EQ(committed_offset(group, topic, p), 10) << "partition " << p;
}

TEST(ListenerContainerOnBroker, GracefulStopCommitsExactlyTheProcessedRecords) {
  auto topic = unique_name("stop");
  klab::testing::create_topic(topic, 1, 1);
  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i) values.push_back(std::to_string(i));
  klab::testing::produce_values(cluster().client_config(), topic, values);
  auto group = unique_name("g");
  Seen seen;
  ConcurrentListenerContainer* self = nullptr;
  std::atomic<bool> in_fourth{false};
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::batch},
      [&](const ListenerContext& ctx) {
        seen.add(ctx);
        if (ctx.record.value() == "3") {
          // Hold the fourth record until stop() has asked the threads to end.
          in_fourth = true;
          await_until([&] { return !self->running(); }, scaled(30s), 10ms);
        }
      });
  self = &container;
  container.start();
  ASSERT_TRUE(await_until([&] { return in_fourth.load(); }, scaled(30s)));
  container.stop();

  EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"0", "1", "2", "3"}))
      << "the rest of the batch was left alone";
  EXPECT_EQ(committed_offset(group, topic), 4) << "exactly past the processed records";
}

TEST(ListenerContainerOnBroker, FailingRecordIsRetriedThenDeadLetteredAndTheNextRecordIsProcessed) {
  auto topic = unique_name("dlt");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::create_topic(topic + "-dlt", 1, 1);
  auto reports = klab::testing::produce_values(cluster().client_config(), topic, {"a", "bad", "c"});
  ASSERT_EQ(reports.size(), 3u);
  klab::client::Producer producer(cluster().client_config());
  DefaultErrorHandler handler(FixedBackOff{50ms, 2}, DeadLetterPublishingRecoverer(producer));
  auto group = unique_name("g");
  Seen seen;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const ListenerContext& ctx) {
        seen.add(ctx);
        if (ctx.record.value() == "bad") throw std::runtime_error("cannot handle bad");
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic) == 3; }, scaled(30s)))
      << "committed past the dead-lettered record";
  container.stop();
  EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"a", "bad", "bad", "bad", "c"}))
      << "two retries before c, then c";

  klab::client::Consumer dlt(consumer_config(cluster().client_config(), unique_name("dlt-reader")));
  dlt.subscribe({topic + "-dlt"});
  auto got = klab::testing::consume_n(dlt, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  const auto& r = got[0];
  EXPECT_EQ(r.value(), "bad");
  EXPECT_EQ(r.partition(), 0);
  namespace h = klab::framework::dlt_headers;
  auto header = [&](std::string_view name) -> std::string {
    auto* found = r.headers().last(name);
    return found && found->value ? *found->value : "<missing>";
  };
  EXPECT_EQ(header(h::original_topic), topic);
  EXPECT_EQ(header(h::original_partition), "0");
  EXPECT_EQ(header(h::original_offset), std::to_string(reports[1].offset));
  EXPECT_EQ(header(h::original_timestamp), std::to_string(reports[1].timestamp.ms));
  EXPECT_EQ(header(h::exception_class), "std::runtime_error");
  EXPECT_EQ(header(h::exception_message), "cannot handle bad");
}

TEST(ListenerContainerOnBroker, RecovererFailureLeavesTheOffsetUncommitted) {
  auto topic = unique_name("norecover");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "bad", "c"});
  std::atomic<int> recover_calls{0};
  DefaultErrorHandler handler(FixedBackOff{0ms, 1},
                              [&](const klab::client::Record&, const std::exception_ptr&) {
                                ++recover_calls;
                                throw std::runtime_error("DLT unreachable");
                              });
  auto group = unique_name("g");
  Seen seen;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::record},
      [&](const ListenerContext& ctx) {
        seen.add(ctx);
        if (ctx.record.value() == "bad") throw std::runtime_error("cannot handle bad");
      },
      handler);
  container.start();
  ASSERT_TRUE(await_until([&] { return recover_calls >= 2; }, scaled(30s)))
      << "the record came back after the failed recovery";
  container.stop();
  auto values = seen.snapshot();
  EXPECT_EQ(std::count(values.begin(), values.end(), "c"), 0) << "nothing after it ran";
  EXPECT_EQ(committed_offset(group, topic), 1) << "committed up to, not past, the failed record";
}

TEST(ListenerContainerOnBroker, ManualAckCommitsOnlyAcknowledgedRecords) {
  auto topic = unique_name("manual");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c", "d"});
  auto group = unique_name("g");
  Seen seen;
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::manual},
      [&](const ListenerContext& ctx) {
        ASSERT_NE(ctx.ack, nullptr);
        seen.add(ctx);
        if (ctx.record.value() == "a" || ctx.record.value() == "b") ctx.ack->acknowledge();
      });
  container.start();
  ASSERT_TRUE(await_until([&] { return seen.size() >= 4; }, scaled(30s)));
  container.stop();
  EXPECT_EQ(committed_offset(group, topic), 2) << "c and d were handled but not acknowledged";
}

}  // namespace
