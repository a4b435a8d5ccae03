// 3.4 Consumer tuning: how fetch settings trade requests for latency, and the two clocks that
// decide when a member is considered gone — max.poll.interval.ms (the application stopped
// polling) and session.timeout.ms (the process stopped heartbeating).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"
#include "member.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Consumer;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;
using lessons::Member;

// Counts fetch requests of a consumer over `samples` statistics intervals, while a producer
// trickles records into the topic.
struct FetchWatch {
  explicit FetchWatch(Config config, const std::string& topic) {
    config.statistics_interval_ms(1000).statistics_handler(stats.handler());
    consumer = std::make_unique<Consumer>(config);
    consumer->subscribe({topic});
  }
  klab::client::ConsumerStatsCollector stats;
  std::unique_ptr<Consumer> consumer;
};

TEST(P3FetchTuning, FetchMinBytesAndWaitMaxTradeFetchRequestsForLatency) {
  KLAB_ROADMAP("3.4.1");
  auto topic = unique_name("trickle");
  klab::testing::create_topic(topic, 1, 1);
  auto eager = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  eager.fetch_min_bytes(1).fetch_wait_max_ms(100);
  auto patient = klab::testing::consumer_config(cluster().client_config(), unique_name("g"));
  patient.fetch_min_bytes(1'000'000).fetch_wait_max_ms(1000);
  FetchWatch a(eager, topic), b(patient, topic);

  std::jthread trickle([&](std::stop_token stop) {
    Producer producer(cluster().client_config().linger_ms(0));
    while (!stop.stop_requested()) {
      producer.send({.topic = topic, .value = std::string(100, 'x')});
      std::this_thread::sleep_for(20ms);  // the workload's pace, not a wait for a result
    }
  });
  // Both read side by side for the same statistics intervals.
  std::int64_t a_start = -1, b_start = -1;
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        a.consumer->poll(50ms);
        b.consumer->poll(50ms);
        auto sa = a.stats.latest();
        auto sb = b.stats.latest();
        if (!sa || !sb) return false;
        if (a_start < 0) {
          a_start = sa->fetch_requests();
          b_start = sb->fetch_requests();
        }
        return a.stats.samples() >= 6 && b.stats.samples() >= 6;
      },
      scaled(60s)));
  trickle.request_stop();
  auto fa = a.stats.latest()->fetch_requests() - a_start;
  auto fb = b.stats.latest()->fetch_requests() - b_start;
  std::cout << "fetch.min.bytes=1, fetch.wait.max.ms=100: " << fa
            << " fetch requests; fetch.min.bytes=1000000, fetch.wait.max.ms=1000: " << fb << '\n';
  EXPECT_GT(fa, 3 * fb) << "waiting for more bytes means fewer, fuller fetches";
}

Config short_clocks(const std::string& group) {
  auto c = klab::testing::consumer_config(cluster().client_config(), group);
  c.session_timeout_ms(3000).heartbeat_interval_ms(500).max_poll_interval_ms(4000);
  return c;
}

TEST(P3PollInterval, MemberThatStopsPollingPastMaxPollIntervalLosesItsPartitions) {
  KLAB_ROADMAP("3.4.2");
  auto topic = unique_name("slow");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  Member slow(short_clocks(group), topic), fine(short_clocks(group), topic);
  ASSERT_TRUE(lessons::await_split({&slow, &fine}, 4, 60s));
  ASSERT_EQ(fine.owned().size(), 2u);

  slow.stall(true);  // heartbeats go on in the background; only poll() stops
  EXPECT_TRUE(klab::cluster::await_until([&] { return fine.owned().size() == 4; }, scaled(60s)))
      << "the stalled member left the group after max.poll.interval.ms";
  slow.stall(false);
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        for (const auto& e : slow.errors())
          if (e.code() == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED) return true;
        return false;
      },
      scaled(30s)))
      << "its next poll() says why it was removed";
}

TEST(P3SessionTimeout, KilledConsumerProcessLosesItsPartitionsAfterTheSessionTimeout) {
  KLAB_ROADMAP("3.4.3");
  if (std::getenv("KLAB_CLIENT_PROPERTIES")) KLAB_SKIP("the child process gets its own properties");
  auto topic = unique_name("crash");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  auto dir = std::filesystem::temp_directory_path() / unique_name("child");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "client.properties")
      << "session.timeout.ms=3000\nheartbeat.interval.ms=500\n";
  // The other member is a separate process (the lab's CLI), so it can die without a goodbye.
  auto pid = klab::cluster::spawn_detached(
      {"env", "KLAB_BOOTSTRAP=" + cluster().bootstrap(),
       "KLAB_CLIENT_PROPERTIES=" + (dir / "client.properties").string(), KLAB_CLI, "consume", topic,
       "--group", group},
      {.log_file = dir / "consume.log", .die_with_parent = true});
  Member survivor(short_clocks(group), topic);
  bool shared =
      klab::cluster::await_until([&] { return survivor.owned().size() == 2; }, scaled(60s));
  if (!shared) kill(pid, SIGKILL);
  ASSERT_TRUE(shared) << klab::cluster::tail_file(dir / "consume.log", 20);

  auto killed_at = std::chrono::steady_clock::now();
  kill(pid, SIGKILL);  // no LeaveGroup, no more heartbeats
  klab::cluster::reap_if_child(pid);
  ASSERT_TRUE(
      klab::cluster::await_until([&] { return survivor.owned().size() == 4; }, scaled(60s)));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  std::cout << "partitions moved " << took.count()
            << " ms after the kill (session.timeout.ms=3000)\n";
  std::filesystem::remove_all(dir);
}

}  // namespace
