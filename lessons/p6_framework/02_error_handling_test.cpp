// 6.2 Error handling in the listener container: DefaultErrorHandler retries a failing record
// (FixedBackOff / ExponentialBackOff, not-retryable exceptions), redelivers it by seeking back
// so nothing is skipped or reordered on its partition, and finally recovers it, e.g. to a DLT.
// The counts asserted here are deliveries, never durations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/back_off.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::AckMode;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::DeadLetterPublishingRecoverer;
using klab::framework::DefaultErrorHandler;
using klab::framework::ExponentialBackOff;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::consumer_config;
using klab::testing::HasHeader;
using klab::testing::unique_name;
namespace dlt = klab::framework::dlt_headers;

// Deliveries per value, and what the recoverer got, shared with the test thread.
struct Tally {
  std::mutex mutex;
  std::map<std::string, int> deliveries;
  std::vector<std::string> order;
  std::vector<std::string> recovered;
  void delivered(const ListenerContext& ctx) {
    std::lock_guard lock(mutex);
    std::string v(ctx.record.value().value_or(""));
    ++deliveries[v];
    order.push_back(v);
  }
  int of(const std::string& v) {
    std::lock_guard lock(mutex);
    return deliveries[v];
  }
  std::size_t recovered_count() {
    std::lock_guard lock(mutex);
    return recovered.size();
  }
  klab::framework::Recoverer recoverer() {
    return [this](const klab::client::Record& r, const std::exception_ptr&) {
      std::lock_guard lock(mutex);
      recovered.emplace_back(r.value().value_or(""));
    };
  }
};

// Runs a container on `values` (one partition) until `done`, with `handler`.
template <typename Listener>
void run_until(const std::vector<std::string>& values, DefaultErrorHandler handler,
               Listener listener, const std::function<bool()>& done) {
  auto topic = unique_name("t");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, values);
  auto group = unique_name("g");
  ConcurrentListenerContainer container(consumer_config(cluster().client_config(), group),
                                        {.topics = {topic}, .group_id = group}, listener,
                                        std::move(handler));
  container.start();
  EXPECT_TRUE(await_until(done, scaled(30s)));
  container.stop();
  EXPECT_EQ(committed_offset(group, topic, 0), static_cast<std::int64_t>(values.size()))
      << "every record handled or recovered";
}

TEST(P6ErrorHandler, FixedBackOffRetriesNTimesThenRecovers) {
  KLAB_ROADMAP("6.2.1");
  constexpr int retries = 3;
  Tally tally;
  run_until(
      {"bad", "next"}, DefaultErrorHandler(FixedBackOff{10ms, retries}, tally.recoverer()),
      [&](const ListenerContext& ctx) {
        tally.delivered(ctx);
        if (ctx.record.value() == "bad") throw std::runtime_error("db down");
      },
      [&] { return tally.of("next") >= 1; });
  std::cout << "[6.2.1] FixedBackOff{10ms, " << retries << "}: 'bad' delivered " << tally.of("bad")
            << " times, then recovered\n";
  EXPECT_EQ(tally.of("bad"), retries + 1);
  EXPECT_EQ(tally.recovered, std::vector<std::string>{"bad"});
  EXPECT_EQ(tally.of("next"), 1);
}

TEST(P6ErrorHandler, NotRetryableExceptionGoesStraightToTheRecoverer) {
  KLAB_ROADMAP("6.2.1");
  constexpr int retries = 3;
  Tally tally;
  DefaultErrorHandler handler(FixedBackOff{10ms, retries}, tally.recoverer());
  handler.add_not_retryable<std::invalid_argument>();  // a bad message never gets better
  run_until(
      {"malformed", "transient", "next"}, std::move(handler),
      [&](const ListenerContext& ctx) {
        tally.delivered(ctx);
        if (ctx.record.value() == "malformed") throw std::invalid_argument("not JSON");
        if (ctx.record.value() == "transient") throw std::runtime_error("timeout");
      },
      [&] { return tally.of("next") >= 1; });
  std::cout << "[6.2.1] not retryable: 'malformed' delivered " << tally.of("malformed")
            << "x, retryable 'transient' " << tally.of("transient") << "x\n";
  EXPECT_EQ(tally.of("malformed"), 1);
  EXPECT_EQ(tally.of("transient"), retries + 1);
  EXPECT_EQ(tally.recovered, (std::vector<std::string>{"malformed", "transient"}));
}

TEST(P6ErrorHandler, ExponentialBackOffStopsRetryingAtItsMaximumElapsedTime) {
  KLAB_ROADMAP("6.2.1");
  // Waits 20, 40, 80 ms (sum 140); the next, 160, would pass 200 ms in total: 3 retries.
  ExponentialBackOff policy{
      .initial = 20ms, .multiplier = 2.0, .max_interval = 1000ms, .max_elapsed = 200ms};
  int retries = 0;
  while (policy.next_delay(retries + 1)) ++retries;
  ASSERT_EQ(retries, 3);

  Tally tally;
  run_until(
      {"bad", "next"}, DefaultErrorHandler(policy, tally.recoverer()),
      [&](const ListenerContext& ctx) {
        tally.delivered(ctx);
        if (ctx.record.value() == "bad") throw std::runtime_error("db down");
      },
      [&] { return tally.of("next") >= 1; });
  std::cout << "[6.2.1] ExponentialBackOff{20ms, x2, max_elapsed 200ms}: " << retries
            << " retries, 'bad' delivered " << tally.of("bad") << " times\n";
  EXPECT_EQ(tally.of("bad"), retries + 1);
  EXPECT_EQ(tally.recovered, std::vector<std::string>{"bad"});
}

TEST(P6RetryAndRecovery, FailedRecordHoldsBackItsPartitionButNotTheOthers) {
  KLAB_ROADMAP("6.2.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 2, 1);
  std::vector<std::string> p0;
  for (int i = 0; i < 5; ++i) p0.push_back("p0-" + std::to_string(i));
  klab::testing::produce_values(cluster().client_config(), topic, p0, 0);

  std::mutex mutex;
  std::vector<std::pair<std::string, bool>> events;  // (value, succeeded) in handling order
  std::atomic<int> p1_handled{0};
  std::atomic<int> failures{0};
  auto group = unique_name("g");
  // Many quick retries: "p0-1" fails until partition 1 has been served meanwhile.
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::record},
      [&](const ListenerContext& ctx) {
        std::string v(ctx.record.value().value_or(""));
        bool fail = v == "p0-1" && (failures == 0 || p1_handled < 5);
        {
          std::lock_guard lock(mutex);
          events.emplace_back(v, !fail);
        }
        if (ctx.record.partition() == 1) ++p1_handled;
        if (fail) {
          ++failures;
          throw std::runtime_error("inventory service down");
        }
      },
      DefaultErrorHandler(FixedBackOff{20ms, 100'000}));
  container.start();
  ASSERT_TRUE(await_until([&] { return failures.load() >= 1; }, scaled(30s)));
  // Partition 1's records are written only now, while p0-1 is failing.
  std::vector<std::string> p1;
  for (int i = 0; i < 5; ++i) p1.push_back("p1-" + std::to_string(i));
  klab::testing::produce_values(cluster().client_config(), topic, p1, 1);
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic, 0) == 5; }, scaled(30s)));
  container.stop();

  std::vector<std::string> p0_ok;
  std::size_t p0_1_done = 0, last_p1 = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& [v, ok] = events[i];
    if (v.starts_with("p0") && ok) p0_ok.push_back(v);
    if (v == "p0-1" && ok) p0_1_done = i;
    if (v.starts_with("p1")) last_p1 = i;
  }
  std::cout << "[6.2.2] p0-1 failed " << failures << "x; handled order:";
  for (const auto& [v, ok] : events)
    if (ok) std::cout << ' ' << v;
  std::cout << '\n';
  EXPECT_EQ(p0_ok, p0) << "partition 0 in offset order, nothing skipped";
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const auto& e) { return e.first.starts_with("p0") && e.second; }),
            5)
      << "each of partition 0's records succeeded exactly once";
  EXPECT_EQ(p1_handled.load(), 5);
  EXPECT_LT(last_p1, p0_1_done) << "partition 1 flowed while partition 0 waited";
  for (std::size_t i = 0; i < p0_1_done; ++i)
    EXPECT_FALSE(events[i].first > "p0-1" && events[i].first.starts_with("p0"))
        << events[i].first << " ran before p0-1 succeeded";
}

TEST(P6RetryAndRecovery, ListenerThatAlwaysThrowsEndsWithEveryRecordInTheDltAndOffsetsAtTheEnd) {
  KLAB_ROADMAP("6.2.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 2, 1);
  klab::testing::create_topic(topic + "-dlt", 2, 1);
  std::vector<std::string> values;
  for (int i = 0; i < 5; ++i) values.push_back("v" + std::to_string(i));
  klab::testing::produce_values(cluster().client_config(), topic, values, 0);
  klab::testing::produce_values(cluster().client_config(), topic, values, 1);

  klab::client::Producer dlt_producer(cluster().client_config().acks("all"));
  std::atomic<int> deliveries{0};
  auto group = unique_name("g");
  ConcurrentListenerContainer container(
      consumer_config(cluster().client_config(), group), {.topics = {topic}, .group_id = group},
      [&](const ListenerContext&) {
        ++deliveries;
        throw std::logic_error("bug in handler");
      },
      DefaultErrorHandler(FixedBackOff{0ms, 1}, DeadLetterPublishingRecoverer(dlt_producer)));
  container.start();
  ASSERT_TRUE(await_until(
      [&] {
        return committed_offset(group, topic, 0) == 5 && committed_offset(group, topic, 1) == 5;
      },
      scaled(60s)));
  container.stop();

  auto parked = klab::testing::consume_until(cluster().client_config(), topic + "-dlt", 10, 30s);
  std::cout << "[6.2.2] always-throwing listener: " << deliveries << " deliveries, "
            << parked.size() << " records in the DLT, committed "
            << committed_offset(group, topic, 0) << '/' << committed_offset(group, topic, 1)
            << '\n';
  EXPECT_EQ(deliveries.load(), 20) << "10 records x (1 delivery + 1 retry)";
  ASSERT_EQ(parked.size(), 10u);
  std::map<int, int> per_partition;
  for (const auto& r : parked) {
    ++per_partition[r.partition()];
    EXPECT_THAT(r, HasHeader(dlt::original_partition, std::to_string(r.partition())));
    EXPECT_THAT(r, HasHeader(dlt::exception_class, "std::logic_error"));
  }
  EXPECT_EQ(per_partition, (std::map<int, int>{{0, 5}, {1, 5}}));
}

}  // namespace
