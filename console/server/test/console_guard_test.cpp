// The console is reachable by any web page the learner opens (it can send requests to
// 127.0.0.1): requests only another site or a DNS-rebound name would send change nothing and
// read nothing.
#include <gtest/gtest.h>
#include <httplib.h>

#include "console_test_support.hpp"
#include "klab/client/admin.hpp"

namespace {
using namespace std::chrono_literals;
using klab::console::testing::json;
using klab::console::testing::TempDir;
using klab::console::testing::TestConsole;
using klab::testing::cluster;

std::string fresh_topic(const std::string& purpose) {
  auto n = klab::testing::unique_name(purpose);
  for (auto& c : n)
    if (c == '/' || c == '.') c = '-';
  return n;
}

bool topic_exists(const std::string& name) {
  klab::client::Admin admin(cluster().client_config());
  for (const auto& t : admin.list_topics(false, klab::cluster::scaled(10s)))
    if (t == name) return true;
  return false;
}

// A refused request would have created its topic before its answer arrived: once a topic
// created after that answer is visible, so would the refused one be.
void expect_never_created(const std::string& name) {
  auto marker = name + "-marker";
  klab::client::Admin admin(cluster().client_config());
  for (const auto& r :
       admin.create_topics({{.name = marker, .partitions = 1, .replication_factor = 1}},
                           klab::cluster::scaled(30s)))
    ASSERT_FALSE(r.error) << r.error.to_string();
  ASSERT_TRUE(
      klab::cluster::await_until([&] { return topic_exists(marker); }, klab::cluster::scaled(30s)));
  EXPECT_FALSE(topic_exists(name)) << name << " was created by a refused request";
}

class ConsoleGuard : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    web_ = new TempDir;
    web_->write("index.html", "<!doctype html><title>console</title>");
    auto options = klab::console::testing::test_options(*web_);
    console_ = new TestConsole(options);
  }
  static void TearDownTestSuite() {
    delete console_;
    delete web_;
  }
  static httplib::Client raw() {
    httplib::Client c("127.0.0.1", console_->port());
    c.set_read_timeout(std::chrono::seconds(60));
    return c;
  }
  static std::string self() { return "127.0.0.1:" + std::to_string(console_->port()); }
  static inline TempDir* web_ = nullptr;
  static inline TestConsole* console_ = nullptr;
};

TEST_F(ConsoleGuard, ACrossSiteFormPostCreatesNoTopic) {
  KLAB_ROADMAP("8.2.2");
  auto name = fresh_topic("csrf-form");
  // What <form enctype="text/plain" action="http://127.0.0.1:8080/api/topics"> on
  // http://evil.example sends.
  auto r = raw().Post("/api/topics", {{"Origin", "http://evil.example"}},
                      json{{"name", name}}.dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "cross_origin");
  expect_never_created(name);
}

TEST_F(ConsoleGuard, ANoCorsFetchWithoutOriginStillNeedsJsonAndCreatesNothing) {
  KLAB_ROADMAP("8.2.2");
  auto name = fresh_topic("csrf-no-cors");
  auto r = raw().Post("/api/topics", {{"Sec-Fetch-Site", "cross-site"}},
                      json{{"name", name}}.dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  auto plain = raw().Post("/api/topics", json{{"name", name}}.dump(), "text/plain");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 415) << plain->body;
  expect_never_created(name);
}

TEST_F(ConsoleGuard, AJsonPostFromAnotherOriginIsRefusedToo) {
  KLAB_ROADMAP("8.2.2");
  auto name = fresh_topic("csrf-json");
  auto r = raw().Post("/api/topics", {{"Origin", "http://evil.example"}},
                      json{{"name", name}}.dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  expect_never_created(name);
}

TEST_F(ConsoleGuard, TheConsolesOwnPageMayCreateATopic) {
  KLAB_ROADMAP("8.2.2");
  auto name = fresh_topic("same-origin");
  auto r =
      raw().Post("/api/topics", {{"Origin", "http://" + self()}, {"Sec-Fetch-Site", "same-origin"}},
                 json{{"name", name}, {"partitions", 1}, {"replication_factor", 1}}.dump(),
                 "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  EXPECT_TRUE(
      klab::cluster::await_until([&] { return topic_exists(name); }, klab::cluster::scaled(30s)));
}

TEST_F(ConsoleGuard, AForeignHostHeaderGetsNoData) {
  KLAB_ROADMAP("8.2.2");
  // DNS rebinding: evil.example resolves to 127.0.0.1, so its page reads the console "same-origin".
  auto r = raw().Get("/api/topics", {{"Host", "evil.example:" + std::to_string(console_->port())}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 421) << r->body;
  EXPECT_EQ(r->body.find("\"topics\""), std::string::npos) << r->body;
  auto page = raw().Get("/", {{"Host", "evil.example"}});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 421);
  auto own = raw().Get("/api/topics", {{"Host", self()}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
}

TEST(ConsoleToken, AConsoleWithAnAccessTokenAnswersOnlyRequestsThatCarryIt) {
  KLAB_ROADMAP("8.2.2");
  TempDir web;
  web.write("index.html", "<!doctype html><title>console</title>");
  auto options = klab::console::testing::test_options(web);
  options.access_token = "s3cret-token";
  TestConsole console(options);
  httplib::Client c("127.0.0.1", console.port());
  auto without = c.Get("/api/topics");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  auto bearer = c.Get("/api/topics", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200);
  auto link = c.Get("/?token=s3cret-token");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->status, 200);
  auto cookie = link->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("klab_console_token=s3cret-token"), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  auto with_cookie = c.Get("/api/topics", {{"Cookie", "klab_console_token=s3cret-token"}});
  ASSERT_TRUE(with_cookie);
  EXPECT_EQ(with_cookie->status, 200);
}

}  // namespace
