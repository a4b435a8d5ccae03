// The console on a secured cluster, in a real browser: it shows the ACLs and SCRAM users it can
// read with its client properties, and no other web site can drive it: a cross-site form or
// fetch creates nothing, and a DNS-rebound name gets no data.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "browser_scenario.hpp"
#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/console/console_server.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .secure = true);

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::console::ConsoleOptions;
using klab::console::ConsoleServer;
using klab::console::e2e::ScenarioResult;
using klab::testing::cluster;
using klab::testing::unique_name;

std::string describe(const ScenarioResult& r) {
  return "scenario exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") +
         ", result " + r.result.dump() + "\n--- scenario output ---\n" + r.output;
}

bool topic_exists(const std::string& topic) {
  klab::client::Admin admin(cluster().client_config());
  auto names = admin.list_topics(false, scaled(30s));
  return std::find(names.begin(), names.end(), topic) != names.end();
}

class ConsoleSecurityE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = klab::console::e2e::missing_prerequisite();
    if (missing_ || cluster().external()) return;
    namespace e2e = klab::console::e2e;
    ConsoleOptions options;
    options.port = 0;
    options.web_root = e2e::source_dir() / "console" / "web" / "dist";
    // What KLAB_CLIENT_PROPERTIES=.../admin-mtls.properties gives `klab console`.
    auto props = cluster().local().client_properties("admin", klab::cluster::SecureListener::mtls);
    options.target = {
        .bootstrap = props.at("bootstrap.servers"),
        .properties_file = cluster().local().security().dir() / "admin-mtls.properties"};
    options.metrics_urls = cluster().metrics_urls();
    options.roadmap_file = e2e::source_dir() / "roadmap.json";
    options.results_dir = e2e::source_dir() / ".klab" / "results";
    server_ = std::make_unique<ConsoleServer>(options);
    server_->start();
  }
  static void TearDownTestSuite() {
    if (server_) server_->stop();
    server_.reset();
  }
  void SetUp() override {
    if (missing_) FAIL() << "browser tests cannot run: " << *missing_;
    KLAB_REQUIRE_LOCAL_CLUSTER();
  }
  static ScenarioResult run(const std::string& name,
                            const std::map<std::string, std::string>& env) {
    return klab::console::e2e::run_scenario(
        name, "http://127.0.0.1:" + std::to_string(server_->port()), env, scaled(180s));
  }
  static inline std::optional<std::string> missing_;
  static inline std::unique_ptr<ConsoleServer> server_;
};

TEST_F(ConsoleSecurityE2E, TheSecurityPageShowsTheClustersAclsAndScramUsers) {
  KLAB_ROADMAP("8.2.2");
  auto topic = unique_name("console-acl");
  klab::client::AclBinding read{klab::client::AclResourceType::topic,
                                topic,
                                klab::client::AclPatternType::literal,
                                "User:bob",
                                "*",
                                klab::client::AclOperation::read,
                                klab::client::AclPermission::allow};
  klab::client::Admin admin(cluster().client_config());
  admin.create_acl(read, scaled(10s));
  auto r = run("security_page", {{"ACL_RESOURCE", topic}});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto acl_texts = r.result["aclTexts"].dump();
  EXPECT_NE(acl_texts.find("User:bob"), std::string::npos) << acl_texts;
  EXPECT_NE(acl_texts.find("READ"), std::string::npos) << acl_texts;
  auto users = r.result["userTexts"].dump();
  for (const char* u : {"User:admin", "User:alice", "User:bob"})
    EXPECT_NE(users.find(u), std::string::npos) << u << " " << users;
  EXPECT_NE(r.result.value("principal", "").find("User:admin"), std::string::npos);
  admin.delete_acls(klab::client::AclBindingFilter::exactly(read), scaled(10s));
}

TEST_F(ConsoleSecurityE2E, ACrossSiteFormOrFetchCreatesNoTopicThroughTheConsole) {
  KLAB_ROADMAP("8.2.2");
  auto topic = unique_name("csrf");
  auto r = run("cross_site", {{"TOPIC", topic}});
  ASSERT_TRUE(r.ok()) << describe(r);
  // The browser did send both: a no-cors fetch resolves opaque, the form got an answer.
  EXPECT_EQ(r.result.value("fetchOutcome", ""), "sent (opaque)") << describe(r);
  auto answer = r.result.value("formAnswer", "");
  EXPECT_NE(answer.find("\"error\""), std::string::npos) << answer;
  EXPECT_FALSE(topic_exists(topic)) << "a page on another site created " << topic;
}

TEST_F(ConsoleSecurityE2E, ADnsReboundNameGetsNoDataFromTheConsole) {
  KLAB_ROADMAP("8.2.2");
  auto topic = unique_name("rebinding-secret");
  klab::testing::create_topic(topic, 1, 1);
  auto r = run("dns_rebinding", {{"SECRET_TOPIC", topic}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("pageStatus", 0), 421) << describe(r);
  EXPECT_EQ(r.result.value("apiStatus", 0), 421) << describe(r);
  EXPECT_FALSE(r.result.value("leaked", true)) << describe(r);
}

}  // namespace
