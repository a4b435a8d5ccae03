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

// A consumer in its own process (the lab's CLI), so it can die without a goodbye.
struct ChildConsumer {
  pid_t pid = 0;
  std::filesystem::path dir;
  ChildConsumer(const std::string& topic, const std::string& group, const std::string& client_id,
                int session_ms, int heartbeat_ms)
      : dir(std::filesystem::temp_directory_path() / unique_name(client_id)) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "client.properties")
        << "client.id=" << client_id << "\nsession.timeout.ms=" << session_ms
        << "\nheartbeat.interval.ms=" << heartbeat_ms << '\n';
    pid = klab::cluster::spawn_detached(
        {"env", "KLAB_BOOTSTRAP=" + cluster().bootstrap(),
         "KLAB_CLIENT_PROPERTIES=" + (dir / "client.properties").string(), KLAB_CLI, "consume",
         topic, "--group", group},
        {.log_file = dir / "consume.log", .die_with_parent = true});
  }
  void kill_hard() {  // no LeaveGroup, no more heartbeats
    if (pid > 0) ::kill(pid, SIGKILL);
    klab::cluster::reap_if_child(pid);
    pid = 0;
  }
  std::string log() const { return klab::cluster::tail_file(dir / "consume.log", 20); }
  ~ChildConsumer() {
    kill_hard();
    std::filesystem::remove_all(dir);
  }
};

std::set<std::string> client_ids_in(klab::client::Admin& admin, const std::string& group) {
  std::set<std::string> out;
  for (const auto& m : admin.describe_group(group, scaled(10s)).members) out.insert(m.client_id);
  return out;
}

TEST(P3SessionTimeout, DeadMemberIsRemovedAfterItsOwnSessionTimeoutNotAnother) {
  KLAB_ROADMAP("3.4.3");
  if (std::getenv("KLAB_CLIENT_PROPERTIES")) KLAB_SKIP("the child process gets its own properties");
  auto topic = unique_name("crash");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  klab::client::Admin admin(cluster().client_config());
  // Two members that die together; they differ only in their session (and heartbeat) clocks.
  ChildConsumer quick(topic, group, "short-session", 3000, 500);
  ChildConsumer patient(topic, group, "long-session", 60000, 3000);
  Member survivor(short_clocks(group), topic);
  bool joined = klab::cluster::await_until(
      [&] {
        auto ids = client_ids_in(admin, group);
        return ids.contains("short-session") && ids.contains("long-session") &&
               admin.describe_group(group, scaled(10s)).state == "Stable";
      },
      scaled(90s), 200ms);
  ASSERT_TRUE(joined) << quick.log() << patient.log();

  quick.kill_hard();
  patient.kill_hard();
  ASSERT_TRUE(klab::cluster::await_until(
      [&] { return !client_ids_in(admin, group).contains("short-session"); }, scaled(40s), 100ms))
      << "session.timeout.ms=3000: the coordinator removes the silent member";
  auto members = client_ids_in(admin, group);
  EXPECT_TRUE(members.contains("long-session"))
      << "session.timeout.ms=60000: equally dead, but still a member until its own timeout";
}

TEST(P3SessionTimeout, LiveMemberHeartbeatingLessOftenThanItsSessionTimeoutIsRemovedAnyway) {
  KLAB_ROADMAP("3.4.3");
  auto topic = unique_name("slow-heart");
  klab::testing::create_topic(topic, 2, 1);
  auto group = unique_name("g");
  // Polling all the time, but the first heartbeat comes only after the session expired.
  // Offsets are not committed automatically: a commit would count as a heartbeat.
  auto config = klab::testing::consumer_config(cluster().client_config(), group);
  config.session_timeout_ms(3000).heartbeat_interval_ms(8000).enable_auto_commit(false);
  Member member(config, topic);
  ASSERT_TRUE(lessons::await_split({&member}, 2, 60s));
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        for (const auto& e : member.events())
          if (e.kind == klab::client::RebalanceKind::lost) return true;
        return false;
      },
      scaled(60s)))
      << "heartbeat.interval.ms above session.timeout.ms: the coordinator expired a live member";
}

}  // namespace
