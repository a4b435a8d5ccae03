// Practice system 3 end to end: activity events -> the rule engine (windowed keyed state in a
// compacted changelog, transactions) -> notifications -> a browser page over Server-Sent
// Events, checked in real Chromium; and the rule engine killed mid-window, resuming from its
// changelog with exactly one alert per window.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <map>

#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "rules.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::read_text;
using klab::testing::unique_name;
namespace notify = klab::apps::notifications;

struct Rig {
  fs::path dir;
  notify::NotifyTopics topics;
  std::string group;
  klab::cluster::ManagedProcess start(const std::string& program, const std::string& log,
                                      std::vector<std::string> args = {}) const {
    args.insert(args.begin(), {program, "--prefix", topics.prefix});
    return klab::testing::start_logged(dir, log, args);
  }
  void send(const std::vector<nlohmann::json>& events) const {
    auto config = cluster().client_config();
    config.set("acks", "all").set("enable.idempotence", "true");
    klab::client::Producer producer(config);
    for (const auto& e : events) {
      klab::client::ProducerRecord r;
      r.topic = topics.activity();
      r.key = e["user"].get<std::string>();
      r.value = e.dump();
      ASSERT_FALSE(producer.send(r));
    }
    ASSERT_FALSE(producer.flush(scaled(30s)));
  }
};

Rig make_rig(const std::string& purpose) {
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  Rig r{fs::temp_directory_path() / unique_name(purpose),
        {unique_name(purpose) + "."},
        unique_name(purpose + "-rules")};
  fs::create_directories(r.dir);
  return r;
}

nlohmann::json failed_login(const std::string& user, std::int64_t ts) {
  return {{"type", "login_failed"}, {"user", user}, {"ts", ts}};
}

TEST(NotificationsApp, TheBrowserPageShowsAlicesAlertsTheMomentTheRulesFire) {
  KLAB_ROADMAP("project.3");
  auto rig = make_rig("page");
  auto rules = rig.start(NOTIFY_RULES_PATH, "rules.log", {"--group", rig.group});
  auto port = klab::cluster::find_free_port_block(1, 30000).value();
  auto web = rig.start(NOTIFY_WEB_PATH, "web.log", {"--port", std::to_string(port)});
  for (const char* log : {"rules.log", "web.log"})
    ASSERT_TRUE(await_until(
        [&] {
          return read_text(rig.dir / log).find("running") != std::string::npos ||
                 read_text(rig.dir / log).find("http://") != std::string::npos;
        },
        scaled(60s)))
        << read_text(rig.dir / log);

  // The browser, in the background: it waits for the notifications to appear.
  setenv("CONSOLE_URL", ("http://127.0.0.1:" + std::to_string(port)).c_str(), 1);
  auto browser_log = rig.dir / "browser.log";
  pid_t browser = klab::cluster::spawn_detached(
      {"node", fs::path(NOTIFY_SOURCE_DIR) / "test" / "notification_page.mjs"},
      {.log_file = browser_log, .die_with_parent = true});
  ASSERT_TRUE(await_until(
      [&] {
        return read_text(rig.dir / "web.log").find("page connected for alice") != std::string::npos;
      },
      scaled(60s)))
      << read_text(browser_log);

  const std::int64_t t0 = 1'800'000'000'000;  // event time: windows are the events' own
  rig.send({{{"type", "follow"}, {"user", "alice"}, {"target", "bob"}},
            failed_login("alice", t0 + 1'000),
            failed_login("alice", t0 + 2'000),
            failed_login("carol", t0 + 2'500),
            failed_login("alice", t0 + 3'000),
            {{"type", "post"}, {"user", "bob"}, {"post_id", "p-1"}}});

  int status = -1;
  ASSERT_TRUE(
      await_until([&] { return ::waitpid(browser, &status, WNOHANG) == browser; }, scaled(120s)))
      << read_text(browser_log);
  auto text = read_text(browser_log);
  auto at = text.rfind("RESULT ");
  ASSERT_NE(at, std::string::npos) << text;
  auto result = nlohmann::json::parse(text.substr(at + 7, text.find('\n', at) - at - 7));
  ASSERT_TRUE(result.value("ok", false)) << result.dump(2);
  std::cout << "alice's page: " << result["all"].dump() << "\n";
  ASSERT_EQ(result["all"].size(), 2u) << "alice's two, and nothing of carol's";
  EXPECT_EQ(result["security"].size(), 1u);
  EXPECT_NE(result["security"][0].get<std::string>().find("3 failed logins within a minute"),
            std::string::npos);
  bool social = false;
  for (const auto& t : result["all"])
    social |= t.get<std::string>().find("bob posted p-1") != std::string::npos;
  EXPECT_TRUE(social) << result["all"].dump();
  web.stop(scaled(30s));
  rules.stop(scaled(30s));
}

TEST(NotificationsApp, ARuleEngineKilledMidWindowResumesFromItsChangelogWithOneAlertPerWindow) {
  KLAB_ROADMAP("project.3");
  auto rig = make_rig("restart");
  auto rules = rig.start(NOTIFY_RULES_PATH, "rules-1.log",
                         {"--group", rig.group, "--session-timeout-ms", "6000"});
  ASSERT_TRUE(await_until(
      [&] { return read_text(rig.dir / "rules-1.log").find("running") != std::string::npos; },
      scaled(60s)));
  const std::int64_t w0 = 1'800'000'000'000 - 1'800'000'000'000 % notify::kWindowMs;
  rig.send({failed_login("dave", w0 + 1'000), failed_login("dave", w0 + 2'000)});
  // The two failures are in the changelog (committed) before the engine dies.
  auto reader = cluster().client_config();
  reader.isolation_level(klab::client::IsolationLevel::read_committed);
  ASSERT_TRUE(await_until(
      [&] {
        auto rs = klab::testing::consume_until(
            reader, rig.topics.changelog(), [](const auto&) { return false; }, scaled(1s));
        for (const auto& r : rs)
          if (r.value() && nlohmann::json::parse(*r.value()).value("count", 0) == 2) return true;
        return false;
      },
      scaled(60s)));
  ASSERT_TRUE(rules.kill());
  auto restarted = rig.start(NOTIFY_RULES_PATH, "rules-2.log",
                             {"--group", rig.group, "--session-timeout-ms", "6000"});
  ASSERT_TRUE(await_until(
      [&] { return read_text(rig.dir / "rules-2.log").find("running") != std::string::npos; },
      scaled(60s)));
  EXPECT_NE(read_text(rig.dir / "rules-2.log").find("restored 1 keys"), std::string::npos)
      << read_text(rig.dir / "rules-2.log");
  // The 3rd and 4th failure of the same window, then 3 in the next window.
  rig.send({failed_login("dave", w0 + 30'000), failed_login("dave", w0 + 40'000),
            failed_login("dave", w0 + 61'000), failed_login("dave", w0 + 62'000),
            failed_login("dave", w0 + 63'000)});
  // No fixed wait for a second alert: once the engine's group has committed every activity
  // event (in the same transactions as its notifications), all it will send is readable.
  EXPECT_TRUE(await_until(
      [&] {
        for (int p = 0; p < 3; ++p) {
          // An empty partition has nothing to commit (its committed offset stays unset).
          auto end = klab::testing::end_offset(rig.topics.activity(), p);
          if (end > 0 && klab::testing::committed_offset(rig.group, rig.topics.activity(), p) < end)
            return false;
        }
        return true;
      },
      scaled(60s)))
      << read_text(rig.dir / "rules-2.log");
  std::vector<std::string> alerts;
  klab::client::read_to_end(reader, rig.topics.notifications(),
                            [&](const auto& r) { alerts.emplace_back(r.value().value_or("{}")); });
  std::map<std::int64_t, int> per_window;
  for (const auto& value : alerts)
    ++per_window[nlohmann::json::parse(value).value("window_start", std::int64_t{-1})];
  std::cout << "alerts for dave: " << alerts.size() << " (window " << w0 << ": " << per_window[w0]
            << ", next: " << per_window[w0 + notify::kWindowMs] << ")\n";
  EXPECT_EQ(alerts.size(), 2u);
  EXPECT_EQ(per_window[w0], 1) << "the window that spanned the restart alerts once";
  EXPECT_EQ(per_window[w0 + notify::kWindowMs], 1);
  restarted.stop(scaled(30s));
}

TEST(NotificationsApp, TheRulesCountFailuresPerUserAndWindowAndNotifyFollowers) {
  KLAB_ROADMAP("project.3");
  notify::RuleEngine engine;
  const std::int64_t w = 1'800'000'000'000 - 1'800'000'000'000 % notify::kWindowMs;
  auto alerts = [&](const nlohmann::json& e) { return engine.apply(e).notifications.size(); };
  EXPECT_EQ(alerts(failed_login("a", w + 1)), 0u);
  EXPECT_EQ(alerts(failed_login("b", w + 2)), 0u) << "another user's count is separate";
  EXPECT_EQ(alerts(failed_login("a", w + 3)), 0u);
  EXPECT_EQ(alerts(failed_login("a", w + 4)), 1u);
  EXPECT_EQ(alerts(failed_login("a", w + 5)), 0u) << "one alert per window";
  EXPECT_EQ(alerts(failed_login("a", w + notify::kWindowMs)), 0u) << "a new window counts anew";
  EXPECT_EQ(alerts({{"type", "post"}, {"user", "x"}}), 0u) << "nobody follows x";
  engine.apply({{"type", "follow"}, {"user", "a"}, {"target", "x"}});
  engine.apply({{"type", "follow"}, {"user", "b"}, {"target", "x"}});
  engine.apply({{"type", "follow"}, {"user", "a"}, {"target", "x"}});  // twice is once
  auto post = engine.apply({{"type", "post"}, {"user", "x"}, {"post_id", "p"}});
  ASSERT_EQ(post.notifications.size(), 2u);
  EXPECT_EQ(post.notifications[0]["user"], "a");
  EXPECT_EQ(post.notifications[1]["user"], "b");
}

}  // namespace
