// A broker that goes down mid-session shows as down, not as a crash: on a 3-node cluster one
// dead broker is marked up:false with a warning while the console keeps answering, and a dead
// cluster keeps its last known picture; both recover when the nodes come back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "console_test_support.hpp"

KLAB_TEST_CLUSTER(.nodes = 3);

namespace {

using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::console::testing::find_by;
using klab::console::testing::json;
using ::testing::HasSubstr;

constexpr int kVictim = 3;

/// Starts every node a failed assertion left down, so the next test gets the whole cluster.
struct RestartStoppedNodes {
  ~RestartStoppedNodes() {
    auto& local = klab::testing::cluster().local();
    std::vector<int> down;
    for (const auto& n : local.nodes())
      if (!n.running) down.push_back(n.id);
    if (down.empty()) return;
    try {
      local.start_nodes(down);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "restarting the stopped nodes failed: " << e.what();
    }
  }
};

bool warning_names(const json& overview, const std::string& text) {
  for (const auto& w : overview["warnings"])
    if (w.value("message", "").find(text) != std::string::npos) return true;
  return false;
}

std::int64_t under_replicated(const json& topics, const std::string& topic) {
  auto t = find_by(topics["topics"], "name", topic);
  return t.is_object() ? t.value("under_replicated", std::int64_t{-1}) : -1;
}

/// An RF-3 topic whose replicas are all in sync, as the console sees it.
std::string create_replicated_topic(klab::console::testing::TestConsole& console) {
  // A node restarted by an earlier test may not be registered yet: RF 3 needs all three.
  json overview;
  EXPECT_TRUE(await_until(
      [&] {
        overview = console.get("/api/overview").body;
        if (!overview.value("reachable", false) || overview["brokers"].size() != 3u) return false;
        for (const auto& b : overview["brokers"])
          if (b["up"] != true) return false;
        return true;
      },
      scaled(120s)))
      << overview;
  auto topic = klab::testing::unique_name("rf3");
  auto created = console.post("/api/topics",
                              json{{"name", topic}, {"partitions", 3}, {"replication_factor", 3}});
  EXPECT_EQ(created.status, 201) << created.text;
  EXPECT_TRUE(await_until(
      [&] {
        overview = console.get("/api/overview").body;
        return overview.value("reachable", false) && overview["warnings"].empty() &&
               find_by(console.get("/api/topics").body["topics"], "name", topic).is_object() &&
               overview["totals"]["under_replicated"] == 0;
      },
      scaled(60s)))
      << overview;
  return topic;
}

TEST(ConsoleBrokerDown, OneDeadBrokerIsMarkedDownWithAWarningThenRecovers) {
  KLAB_ROADMAP("1.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  KLAB_REQUIRE_BROKERS(3);
  RestartStoppedNodes restart_on_exit;
  klab::console::testing::TempDir web;
  klab::console::testing::TestConsole console(klab::console::testing::test_options(web));
  auto topic = create_replicated_topic(console);
  auto broker = "broker " + std::to_string(kVictim) + " ";

  klab::testing::cluster().local().kill_node(kVictim);
  // The exporter stops answering at once; the metadata drops the broker and the ISRs shrink
  // only once the controller fences it (broker.session.timeout.ms).
  json overview;
  ASSERT_TRUE(await_until(
      [&] {
        auto r = console.get("/api/overview");
        EXPECT_EQ(r.status, 200) << r.text;
        overview = r.body;
        auto b = find_by(overview["brokers"], "id", kVictim);
        return b.is_object() && b["up"] == false && warning_names(overview, broker) &&
               overview["totals"]["under_replicated"].get<std::int64_t>() > 0;
      },
      scaled(90s)))
      << overview;
  EXPECT_EQ(overview["reachable"], true) << overview;
  ASSERT_EQ(overview["brokers"].size(), 3u) << overview;
  EXPECT_EQ(find_by(overview["brokers"], "id", 1)["up"], true) << overview;
  EXPECT_EQ(find_by(overview["brokers"], "id", 2)["up"], true) << overview;
  EXPECT_EQ(overview["totals"]["offline"], 0) << "two replicas of three remain: " << overview;
  for (const auto& w : overview["warnings"]) EXPECT_EQ(w["level"], "warning") << overview;

  json metrics;
  ASSERT_TRUE(await_until(
      [&] {
        auto r = console.get("/api/metrics");
        EXPECT_EQ(r.status, 200) << r.text;
        metrics = r.body;
        return find_by(metrics["brokers"], "id", kVictim)["up"] == false;
      },
      scaled(30s)))
      << metrics;
  EXPECT_EQ(metrics["available"], true) << metrics;
  auto dead = find_by(metrics["brokers"], "id", kVictim);
  EXPECT_TRUE(dead["error"].is_string() && !dead["error"].get<std::string>().empty()) << metrics;
  EXPECT_EQ(find_by(metrics["brokers"], "id", 1)["up"], true) << metrics;
  EXPECT_EQ(find_by(metrics["brokers"], "id", 2)["up"], true) << metrics;

  auto topics = console.get("/api/topics");
  ASSERT_EQ(topics.status, 200) << topics.text;
  EXPECT_GT(under_replicated(topics.body, topic), 0) << topics.text;
  auto detail = console.get("/api/topics/" + topic);
  ASSERT_EQ(detail.status, 200) << detail.text;
  for (const auto& p : detail.body["partitions"]) {
    EXPECT_NE(p["leader"], kVictim) << detail.text;
    EXPECT_THAT(p["isr"].get<std::vector<int>>(), ::testing::Not(::testing::Contains(kVictim)))
        << detail.text;
  }
  // The survivors still take writes (acks=all with min.insync.replicas=1).
  auto produced = console.post("/api/topics/" + topic + "/messages", json{{"value", "still up"}});
  EXPECT_EQ(produced.status, 201) << produced.text;

  // start_node() may return before the new JVM really serves: trust the console's answers.
  klab::testing::cluster().local().start_node(kVictim);
  ASSERT_TRUE(await_until(
      [&] {
        overview = console.get("/api/overview").body;
        auto b = find_by(overview["brokers"], "id", kVictim);
        return overview.value("reachable", false) && b.is_object() && b["up"] == true &&
               overview["totals"]["under_replicated"] == 0 && overview["warnings"].empty();
      },
      scaled(120s)))
      << overview;
  EXPECT_EQ(under_replicated(console.get("/api/topics").body, topic), 0);
  ASSERT_TRUE(await_until(
      [&] {
        metrics = console.get("/api/metrics").body;
        return find_by(metrics["brokers"], "id", kVictim)["up"] == true;
      },
      scaled(30s)))
      << metrics;
  EXPECT_TRUE(find_by(metrics["brokers"], "id", kVictim)["error"].is_null()) << metrics;
}

TEST(ConsoleBrokerDown, DeadClusterIsUnreachableWithLastKnownDataAndThenRecovers) {
  KLAB_ROADMAP("1.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  KLAB_REQUIRE_BROKERS(3);
  RestartStoppedNodes restart_on_exit;
  klab::console::testing::TempDir web;
  klab::console::testing::TestConsole console(klab::console::testing::test_options(web));
  auto topic = create_replicated_topic(console);
  auto before = console.get("/api/overview").body;

  auto& local = klab::testing::cluster().local();
  for (int id = 1; id <= 3; ++id) local.kill_node(id);
  json overview;
  ASSERT_TRUE(await_until(
      [&] {
        auto r = console.get("/api/overview");
        EXPECT_EQ(r.status, 200) << r.text;
        overview = r.body;
        return overview.value("reachable", true) == false;
      },
      scaled(90s)))
      << overview;
  ASSERT_EQ(overview["brokers"].size(), 3u) << overview;
  for (const auto& b : overview["brokers"]) EXPECT_EQ(b["up"], false) << overview;
  ASSERT_FALSE(overview["warnings"].empty());
  EXPECT_EQ(overview["warnings"][0]["level"], "error");
  EXPECT_THAT(overview["warnings"][0]["message"].get<std::string>(), HasSubstr("does not answer"));
  // The last known picture: what the console saw before the cluster died.
  EXPECT_EQ(overview["cluster_id"], before["cluster_id"]) << overview;
  EXPECT_GE(overview["refreshed_at_ms"], before["refreshed_at_ms"]) << overview;
  // Failed refreshes keep it: refreshed_at_ms is when the cluster last answered.
  ASSERT_TRUE(console.await_refreshes(2, 60s));
  EXPECT_EQ(console.get("/api/overview").body["refreshed_at_ms"], overview["refreshed_at_ms"]);
  EXPECT_EQ(overview["totals"]["topics"], before["totals"]["topics"]) << overview;
  EXPECT_EQ(overview["totals"]["partitions"], before["totals"]["partitions"]) << overview;

  // Lists answer from the last known picture; nothing answers 500.
  auto topics = console.get("/api/topics");
  EXPECT_EQ(topics.status, 200) << topics.text;
  EXPECT_TRUE(find_by(topics.body["topics"], "name", topic).is_object()) << topics.text;
  EXPECT_EQ(console.get("/api/groups").status, 200);
  EXPECT_EQ(console.get("/api/config").status, 200);
  EXPECT_EQ(console.get("/api/lessons").status, 200);
  json metrics;
  ASSERT_TRUE(await_until(
      [&] {
        auto r = console.get("/api/metrics");
        EXPECT_EQ(r.status, 200) << r.text;
        metrics = r.body;
        return metrics["available"] == false;
      },
      scaled(30s)))
      << metrics;
  ASSERT_EQ(metrics["brokers"].size(), 3u) << metrics;
  for (const auto& b : metrics["brokers"]) EXPECT_EQ(b["up"], false) << metrics;
  EXPECT_THAT(metrics["reason"].get<std::string>(), HasSubstr("exporter"));

  // Calls that need the cluster report it as unavailable instead of hanging or crashing.
  for (const auto& r :
       {console.get("/api/topics/" + topic + "/messages"),
        console.post("/api/topics/" + topic + "/messages", json{{"value", "nobody listens"}})}) {
    EXPECT_EQ(r.status, 503) << r.text;
    EXPECT_THAT(r.content_type, HasSubstr("application/json"));
    EXPECT_EQ(r.body["error"]["code"], "cluster_unavailable") << r.text;
  }

  // With every voter down no node can register alone: start them together.
  local.start_nodes({1, 2, 3});
  ASSERT_TRUE(await_until(
      [&] {
        overview = console.get("/api/overview").body;
        if (!overview.value("reachable", false) || !overview["warnings"].empty()) return false;
        for (const auto& b : overview["brokers"])
          if (b["up"] != true) return false;
        return overview["brokers"].size() == 3u && overview["totals"]["under_replicated"] == 0;
      },
      scaled(120s)))
      << overview;
  EXPECT_GT(overview["refreshed_at_ms"].get<std::int64_t>(),
            before["refreshed_at_ms"].get<std::int64_t>());
}

}  // namespace
