// The console in a real browser: a real 1-node cluster, the console server in-process, and
// playwright-core scenarios (console/e2e/*.mjs) driving Debian's headless chromium. Each test
// prepares Kafka from C++, lets the browser act or read, and checks the result on both sides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "browser_scenario.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"
#include "klab/console/console_server.hpp"
#include "klab/schema/avro_serde.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .registry = true);

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::console::ConsoleOptions;
using klab::console::ConsoleServer;
using klab::console::e2e::run_scenario;
using klab::console::e2e::ScenarioResult;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr auto kScenarioTimeout = 180s;

std::string random_token() {
  std::random_device rd;
  return std::to_string(std::uniform_int_distribution<std::uint64_t>(1'000'000, 9'999'999)(rd));
}

std::unique_ptr<ConsoleServer> start_console(bool read_only) {
  namespace e2e = klab::console::e2e;
  ConsoleOptions options;
  options.port = 0;
  options.read_only = read_only;
  // Short refresh periods so the pages follow Kafka quickly; the assertions poll, never sleep.
  options.refresh = 1000ms;
  options.metrics_refresh = 1000ms;
  options.web_root = e2e::source_dir() / "console" / "web" / "dist";
  options.target = cluster().external()
                       ? klab::cluster::resolve_target(klab::cluster::LabPaths::discover())
                       : klab::cluster::ClusterTarget{.bootstrap = cluster().bootstrap()};
  options.metrics_urls = cluster().metrics_urls();
  options.roadmap_file = e2e::source_dir() / "roadmap.json";
  options.results_dir = e2e::source_dir() / ".klab" / "results";
  options.registry_url = cluster().registry_url();
  auto server = std::make_unique<ConsoleServer>(options);
  server->start();
  return server;
}

std::string url_of(const ConsoleServer& server) {
  return "http://127.0.0.1:" + std::to_string(server.port());
}

void create_topic(const std::string& topic, int partitions) {
  klab::client::Admin admin(cluster().client_config());
  admin.create_topic({.name = topic, .partitions = partitions, .replication_factor = 1},
                     scaled(30s));
}

/// A group that read and committed `committed` of the topic's records, then left (Empty).
void commit_part(const std::string& group, const std::string& topic, std::size_t committed) {
  klab::client::Consumer consumer(klab::testing::consumer_config(cluster().client_config(), group));
  consumer.subscribe({topic});
  auto records = klab::testing::consume_n(consumer, committed, scaled(60s));
  ASSERT_EQ(records.size(), committed);
  consumer.commit_sync(records.back());
  consumer.close();
}

/// Marker files shared with a scenario (lib.mjs signal/awaitSignal) to order steps across the
/// two processes; removed when the test ends.
class SignalDir {
 public:
  SignalDir() : path_(fs::temp_directory_path() / ("klab-e2e-" + random_token())) {
    fs::create_directories(path_);
  }
  ~SignalDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  SignalDir(const SignalDir&) = delete;
  SignalDir& operator=(const SignalDir&) = delete;

  std::string path() const { return path_.string(); }
  void send(const std::string& name) const { std::ofstream(path_ / name) << name; }
  /// Waits until the scenario wrote `name`; false when it ended (or timed out) first.
  bool await(const std::string& name, std::future<ScenarioResult>& page) const {
    klab::cluster::await_until(
        [&] { return fs::exists(path_ / name) || page.wait_for(0s) == std::future_status::ready; },
        scaled(kScenarioTimeout));
    return fs::exists(path_ / name);
  }

 private:
  fs::path path_;
};

/// A group with committed offset `committed` on partition 0 of `topic` that never had a member
/// (committed through the Admin API), so it is Empty.
void commit_offset(const std::string& group, const std::string& topic, std::int64_t committed) {
  klab::client::Admin admin(cluster().client_config());
  admin.alter_group_offsets(group, {{topic, 0, committed}}, scaled(30s));
}

std::optional<std::string> topic_config(const std::string& topic, const std::string& name) {
  klab::client::Admin admin(cluster().client_config());
  for (const auto& entry : admin.describe_topic_config(topic, scaled(30s)))
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

bool topic_exists(const std::string& topic) {
  klab::client::Admin admin(cluster().client_config());
  auto names = admin.list_topics(/*include_internal=*/false, scaled(30s));
  return std::find(names.begin(), names.end(), topic) != names.end();
}

std::string describe(const ScenarioResult& r) {
  return "scenario exit " + std::to_string(r.exit_code) + (r.timed_out ? " (timed out)" : "") +
         ", result " + r.result.dump() + "\n--- scenario output ---\n" + r.output;
}

class ConsoleE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = klab::console::e2e::missing_prerequisite();
    if (!missing_) server_ = start_console(/*read_only=*/false);
  }
  static void TearDownTestSuite() {
    if (server_) server_->stop();
    server_.reset();
  }
  void SetUp() override {
    if (missing_) FAIL() << "browser tests cannot run: " << *missing_;
  }
  static ScenarioResult run(const std::string& name, const std::map<std::string, std::string>& env,
                            const ConsoleServer* server = nullptr) {
    return run_scenario(name, url_of(server ? *server : *server_), env, scaled(kScenarioTimeout));
  }

  static inline std::optional<std::string> missing_;
  static inline std::unique_ptr<ConsoleServer> server_;
};

TEST_F(ConsoleE2E, TopicCreatedInTheFormAppearsInTheTopicList) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-created");
  auto r = run("create_topic", {{"TOPIC", topic}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("partitions", -1), 3);

  // The form really created it in Kafka, with the partitions the learner asked for.
  klab::client::Admin admin(cluster().client_config());
  auto topics = admin.describe_topics({topic}, scaled(30s));
  ASSERT_EQ(topics.size(), 1u);
  EXPECT_EQ(topics[0].partitions.size(), 3u);
}

TEST_F(ConsoleE2E, RecordProducedWithKeyAndHeaderIsFoundBySearchingItsHeader) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-produce");
  const auto needle = random_token();
  create_topic(topic, 2);
  // Other records the search has to skip.
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 10), std::nullopt, "decoy");

  auto r = run("produce_search", {{"TOPIC", topic}, {"NEEDLE", needle}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("count", 0), 1);
  EXPECT_EQ(r.result.value("key", ""), "key-" + needle);
  EXPECT_NE(r.result.value("value", "").find(needle), std::string::npos) << describe(r);
  EXPECT_EQ(r.result.value("headers", nlohmann::json::array()),
            nlohmann::json::array({"trace-id=trace-" + needle}));

  // Kafka holds exactly what the form sent: key, value and header.
  auto records = klab::testing::consume_until(cluster().client_config(), topic, 11, scaled(30s));
  auto it = std::find_if(records.begin(), records.end(), [&](const auto& rec) {
    return rec.key() && std::string(*rec.key()) == "key-" + needle;
  });
  ASSERT_NE(it, records.end());
  const auto* header = it->headers().last("trace-id");
  ASSERT_NE(header, nullptr);
  EXPECT_EQ(header->value, "trace-" + needle);
  EXPECT_EQ(klab::testing::value_of(*it), R"({"note":")" + needle + R"(","n":1})");
}

TEST_F(ConsoleE2E, GroupPageShowsLagRisingThenFallingToZeroAsTheConsumerCatchesUp) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-lag");
  const auto group = unique_name("ui-lag-group");
  create_topic(topic, 1);
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 20));

  klab::client::Consumer consumer(klab::testing::consumer_config(cluster().client_config(), group));
  consumer.subscribe({topic});
  auto first = klab::testing::consume_n(consumer, 8, scaled(60s));
  ASSERT_EQ(first.size(), 8u);
  consumer.commit_sync(first.back());  // committed offset 8 of 20: lag 12

  const fs::path signal_dir = fs::temp_directory_path() / ("klab-e2e-" + random_token());
  fs::create_directories(signal_dir);
  auto page = std::async(std::launch::async, [&] {
    return run("group_lag",
               {{"GROUP", group}, {"FIRST_LAG", "12"}, {"SIGNAL_DIR", signal_dir.string()}});
  });
  // The page says when it has shown lag 12; only then does the consumer catch up.
  bool seen = klab::cluster::await_until(
      [&] {
        return fs::exists(signal_dir / "lag-seen") ||
               page.wait_for(0s) == std::future_status::ready;
      },
      scaled(kScenarioTimeout));
  if (seen && fs::exists(signal_dir / "lag-seen")) {
    auto rest = klab::testing::consume_n(consumer, 12, scaled(60s));
    EXPECT_EQ(rest.size(), 12u);
    if (!rest.empty()) consumer.commit_sync(rest.back());
  }
  auto r = page.get();
  consumer.close();
  fs::remove_all(signal_dir);

  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("first", ""), "12");
  EXPECT_EQ(r.result.value("firstRows", nlohmann::json::array()), nlohmann::json::array({"12"}));
  EXPECT_EQ(r.result.value("last", ""), "0");
  EXPECT_GE(r.result.value("chartDrawn", 0), 1);
  EXPECT_EQ(r.result.value("timelineLanes", 0), 1) << "one member, one lane: " << describe(r);
  auto states = r.result.value("timelineStates", nlohmann::json::array());
  ASSERT_FALSE(states.empty()) << describe(r);
  EXPECT_EQ(states.back(), "Stable") << describe(r);
  EXPECT_EQ(klab::testing::committed_offset(group, topic), 20);
}

TEST_F(ConsoleE2E, MarkupInAKafkaRecordIsShownAsTextAndNeverRuns) {
  KLAB_ROADMAP("1.2.2");
  const std::string payload =
      R"(<script>window.__xss=1</script><img src=x onerror="window.__xss=2">)";
  const auto topic = unique_name("ui-xss");
  create_topic(topic, 1);
  klab::client::Producer producer(cluster().client_config());
  klab::client::ProducerRecord record{.topic = topic, .key = "<b>key</b>", .value = payload};
  record.headers.add("h", payload);
  auto report = producer.send_sync(std::move(record), scaled(30s));
  ASSERT_FALSE(report.error) << report.error.message();

  auto r = run("xss", {{"TOPIC", topic}, {"PAYLOAD", payload}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_TRUE(r.result.value("shownLiterally", false)) << describe(r);
  EXPECT_EQ(r.result.value("keyTexts", nlohmann::json::array()),
            nlohmann::json::array({"<b>key</b>"}));
  EXPECT_EQ(r.result.value("headerTexts", nlohmann::json::array()),
            nlohmann::json::array({"h=" + payload}));
  EXPECT_EQ(r.result.value("injectedElements", -1), 0);
  EXPECT_EQ(r.result.value("xss", ""), "undefined");
}

TEST_F(ConsoleE2E, TuningGuideShowsItsBenchmarkChartsFromTheReportsFolder) {
  KLAB_ROADMAP("7.1.1");
  auto r = run("guide_charts", {});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto charts = r.result.value("charts", nlohmann::json::array());
  // The producer sweep's throughput and latency charts, and the consumer sweep's.
  ASSERT_EQ(charts.size(), 3u) << describe(r);
  for (const auto& c : charts) {
    EXPECT_THAT(c.value("src", ""),
                ::testing::MatchesRegex("/api/reports/[a-z_]+_sweep[a-z_]*\\.svg"))
        << describe(r);
    EXPECT_GT(c.value("width", 0), 100) << "a chart that decoded: " << describe(r);
  }
}

TEST_F(ConsoleE2E, TroubleshootingGuideShowsTheRebalanceTimelineScreenshot) {
  KLAB_ROADMAP("7.3.2");
  auto r =
      run("guide_charts", {{"GUIDE", "lessons/p7_troubleshooting/README.md"}, {"MIN_IMAGES", "1"}});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto images = r.result.value("charts", nlohmann::json::array());
  ASSERT_EQ(images.size(), 1u) << describe(r);
  EXPECT_EQ(images[0].value("src", ""), "/api/doc-images/console-rebalance-timeline.png");
  EXPECT_GT(images[0].value("width", 0), 100) << "a picture that decoded: " << describe(r);
}

TEST_F(ConsoleE2E, DoctorPageShowsTheChecklistWithTheActiveControllerHealthy) {
  KLAB_ROADMAP("8.3.4");
  auto r = run("doctor", {});
  ASSERT_TRUE(r.ok()) << describe(r);
  auto checks = r.result.value("checks", nlohmann::json::array());
  ASSERT_EQ(checks.size(), 9u) << describe(r);
  std::map<std::string, std::string> status;
  for (const auto& c : checks) status[c["cells"][1].get<std::string>()] = c.value("status", "");
  EXPECT_EQ(status["active controller"], "ok") << describe(r);
  EXPECT_EQ(status["offline partitions"], "ok") << describe(r);
  EXPECT_TRUE(status.contains("consumer lag growing")) << describe(r);
}

TEST_F(ConsoleE2E, SchemasPageListsTheVersionsAndAnAvroRecordOpensItsSchema) {
  KLAB_ROADMAP("8.1.2");
  if (cluster().registry_url().empty()) GTEST_SKIP() << "no schema registry";
  const auto topic = unique_name("avro-ui");
  create_topic(topic, 1);
  klab::schema::RegistryClient registry(cluster().registry_url());
  const std::string v1 =
      R"({"type":"record","name":"Payment","fields":[{"name":"id","type":"string"}]})";
  const std::string v2 =
      R"({"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},)"
      R"({"name":"method","type":"string","default":"card"}]})";
  klab::schema::AvroSerializer first(registry, topic + "-value", v1),
      second(registry, topic + "-value", v2);
  klab::client::Producer producer(cluster().client_config());
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .value = first.serialize({{"id", "p-1"}})}, scaled(30s))
          .error);
  ASSERT_FALSE(producer
                   .send_sync({.topic = topic,
                               .value = second.serialize({{"id", "p-2"}, {"method", "bank"}})},
                              scaled(30s))
                   .error);

  auto r = run("schemas", {{"TOPIC", topic}, {"SUBJECT", topic + "-value"}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("versions", 0), 2) << describe(r);
  EXPECT_NE(r.result.value("latest", "").find("method"), std::string::npos) << describe(r);
  EXPECT_EQ(r.result.value("badges", nlohmann::json::array()),
            (nlohmann::json::array({"Avro schema #" + std::to_string(first.schema_id()),
                                    "Avro schema #" + std::to_string(second.schema_id())})))
      << describe(r);
  EXPECT_NE(r.result.value("opened", "").find(topic + "-value v2"), std::string::npos)
      << describe(r);
}

TEST_F(ConsoleE2E, ReadOnlyConsoleHidesCreateDeleteProduceAndResetControls) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-ro");
  const auto group = unique_name("ui-ro-group");
  create_topic(topic, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b"});
  commit_part(group, topic, 1);
  const std::map<std::string, std::string> env{{"TOPIC", topic}, {"GROUP", group}};

  // The writable console shows the controls (so the read-only check below can fail) ...
  auto writable = run("read_only", env);
  ASSERT_EQ(writable.exit_code, 0) << describe(writable);
  EXPECT_TRUE(writable.result["badge"].is_null());
  EXPECT_GE(writable.result.value("createButtons", 0), 1);
  EXPECT_GE(writable.result.value("deleteButtonsOnTopic", 0), 1);
  EXPECT_GE(writable.result.value("produceForms", 0), 1);
  EXPECT_GE(writable.result.value("resetButtons", 0), 1);

  // ... and the read-only one has none of them.
  auto read_only = start_console(/*read_only=*/true);
  auto r = run("read_only", env, read_only.get());
  read_only->stop();
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_FALSE(r.result["badge"].is_null()) << describe(r);
  for (const char* key :
       {"createButtons", "deleteButtonsInList", "deleteButtonsOnTopic", "produceForms",
        "configSave", "configInputs", "resetButtons", "mutatingElements"})
    EXPECT_EQ(r.result.value(key, -1), 0) << key << "\n" << describe(r);
}

TEST_F(ConsoleE2E, EveryPageRendersAndIsSavedAsAScreenshot) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("orders");
  const auto group = unique_name("order-service");
  create_topic(topic, 3);
  std::vector<std::string> values;
  for (int i = 0; i < 30; ++i)
    values.push_back(R"({"orderId":)" + std::to_string(i) + R"(,"amount":)" +
                     std::to_string(1000 + 250 * i) + R"(,"currency":"KRW"})");
  klab::testing::produce_values(cluster().client_config(), topic, values, std::nullopt,
                                "customer-7");
  commit_part(group, topic, 12);

  const std::vector<std::string> pages{"overview", "topics",       "topic-detail", "messages",
                                       "groups",   "group-detail", "metrics",      "lessons"};
  const auto dir = klab::console::e2e::screenshot_dir();
  for (const auto& page : pages) fs::remove(dir / (page + ".png"));

  auto r = run("screenshots", {{"TOPIC", topic}, {"GROUP", group}});
  ASSERT_TRUE(r.ok()) << describe(r);
  for (const auto& page : pages) {
    const auto file = dir / (page + ".png");
    ASSERT_TRUE(fs::exists(file)) << file;
    std::ifstream in(file, std::ios::binary);
    std::string magic(8, '\0');
    in.read(magic.data(), 8);
    EXPECT_EQ(magic, std::string("\x89PNG\r\n\x1a\n", 8)) << file << " is not a PNG";
    // A blank page compresses to a few KB; a rendered one with tables and text is far larger.
    EXPECT_GT(fs::file_size(file), 20'000u) << file << " looks empty";
  }
}

TEST_F(ConsoleE2E, MetricsPageShowsTheLiveBrokerAndTheTopicsTraffic) {
  KLAB_ROADMAP("7.2.1");
  const auto topic = unique_name("ui-metrics");
  create_topic(topic, 1);

  // Steady traffic while the page watches, so rates are non-zero between two scrapes.
  std::mutex mutex;
  std::condition_variable cv;
  bool stop = false;
  std::atomic<int> sent{0};
  std::thread traffic([&] {
    klab::client::Producer producer(cluster().client_config());
    std::unique_lock lock(mutex);
    for (int i = 0; i < 3000 && !stop; ++i) {
      lock.unlock();
      auto report = producer.send_sync({.topic = topic, .value = "tick-" + std::to_string(i)}, 10s);
      if (!report.error) ++sent;
      lock.lock();
      cv.wait_for(lock, 100ms,
                  [&] { return stop; });  // pacing the traffic, not waiting for a result
    }
  });

  auto r = run("metrics", {{"TOPIC", topic}});
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  cv.notify_all();
  traffic.join();

  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_GT(sent.load(), 0);
  auto brokers = r.result.value("brokerRows", nlohmann::json::array());
  ASSERT_EQ(brokers.size(), 1u) << describe(r);
  EXPECT_NE(brokers[0].get<std::string>().find("up"), std::string::npos) << describe(r);
  EXPECT_EQ(r.result.value("unavailable", -1), 0);
  EXPECT_NE(r.result.value("legend", "").find(topic), std::string::npos);
}

TEST_F(ConsoleE2E, TopicIsDeletedOnlyAfterItsExactNameIsTyped) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-delete");
  create_topic(topic, 1);

  // Near misses never enable the button, and no DELETE leaves the page.
  auto wrong = run("delete_topic", {{"TOPIC", topic}, {"MODE", "wrong"}});
  ASSERT_TRUE(wrong.ok()) << describe(wrong);
  ASSERT_EQ(wrong.result["disabled"].size(), 4u) << describe(wrong);
  for (const auto& [typed, disabled] : wrong.result["disabled"].items())
    EXPECT_TRUE(disabled.get<bool>()) << "typed '" << typed << "'";
  EXPECT_EQ(wrong.result.value("dialogStillOpen", 0), 1) << describe(wrong);
  EXPECT_EQ(wrong.result["deletes"], nlohmann::json::array()) << describe(wrong);
  EXPECT_TRUE(topic_exists(topic));

  // The exact name deletes it, in Kafka as well as in the list.
  auto right = run("delete_topic", {{"TOPIC", topic}, {"MODE", "right"}});
  ASSERT_TRUE(right.ok()) << describe(right);
  EXPECT_TRUE(right.result.value("enabled", false));
  EXPECT_EQ(right.result.value("status", 0), 200);
  EXPECT_NE(right.result.value("notice", "").find(topic), std::string::npos) << describe(right);
  EXPECT_TRUE(klab::cluster::await_until([&] { return !topic_exists(topic); }, scaled(30s)))
      << topic << " is still in Kafka's topic list";
}

TEST_F(ConsoleE2E, OffsetResetOfAnEmptyGroupMovesKafkasCommittedOffsetToEarliestThenLatest) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-reset");
  const auto group = unique_name("ui-reset-group");
  create_topic(topic, 1);
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 10));
  commit_offset(group, topic, 4);  // lag 6
  ASSERT_EQ(klab::testing::committed_offset(group, topic), 4);

  auto earliest =
      run("reset_offsets",
          {{"GROUP", group}, {"TO", "earliest"}, {"LAG_BEFORE", "6"}, {"LAG_AFTER", "10"}});
  ASSERT_TRUE(earliest.ok()) << describe(earliest);
  EXPECT_EQ(earliest.result.value("chosenAfterRefresh", ""), "earliest");
  EXPECT_EQ(earliest.result.value("status", 0), 200);
  EXPECT_EQ(earliest.result["offsets"],
            nlohmann::json::parse(R"([{"topic":")" + topic +
                                  R"(","partition":0,"offset":0,"previous":4}])"));
  EXPECT_EQ(earliest.result.value("committed", nlohmann::json::array()),
            nlohmann::json::array({"0"}));
  EXPECT_EQ(klab::testing::committed_offset(group, topic), 0);  // the log start

  // "latest" must survive the page's refresh between choosing it and confirming.
  auto latest = run("reset_offsets",
                    {{"GROUP", group}, {"TO", "latest"}, {"LAG_BEFORE", "10"}, {"LAG_AFTER", "0"}});
  ASSERT_TRUE(latest.ok()) << describe(latest);
  EXPECT_EQ(latest.result.value("chosenAfterRefresh", ""), "latest");
  EXPECT_EQ(latest.result.value("committed", nlohmann::json::array()),
            nlohmann::json::array({"10"}));
  EXPECT_EQ(klab::testing::committed_offset(group, topic), 10);  // the log end
}

TEST_F(ConsoleE2E, OffsetResetIsRefusedWithTheServersMessageOnceAConsumerJoinedTheGroup) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-reset-busy");
  const auto group = unique_name("ui-reset-busy-group");
  create_topic(topic, 1);
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 10));
  commit_offset(group, topic, 4);

  SignalDir signals;
  auto page = std::async(std::launch::async, [&] {
    return run("reset_refused", {{"GROUP", group}, {"SIGNAL_DIR", signals.path()}});
  });
  // The learner is confirming while a consumer joins (auto commit off: it commits nothing).
  std::optional<klab::client::Consumer> consumer;
  if (signals.await("confirm-open", page)) {
    consumer.emplace(klab::testing::consumer_config(cluster().client_config(), group));
    consumer->subscribe({topic});
    klab::client::Admin admin(cluster().client_config());
    bool joined = klab::cluster::await_until(
        [&] {
          consumer->poll_batch(10, 200ms);  // drives the join; the records are not the point
          auto g = admin.describe_group(group, scaled(10s));
          return g.state == "Stable" && g.members.size() == 1;
        },
        scaled(60s));
    EXPECT_TRUE(joined) << "the consumer never became an active member of " << group;
    signals.send("member-joined");
    // Stay a member until the page is done.
    while (page.wait_for(0s) != std::future_status::ready) consumer->poll_batch(10, 200ms);
  }
  auto r = page.get();
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("status", 0), 409);
  const auto error = r.result.value("error", "");
  EXPECT_NE(error.find(group), std::string::npos) << error;
  EXPECT_NE(error.find("stop its consumers"), std::string::npos) << error;
  EXPECT_EQ(r.result.value("notices", -1), 0);
  EXPECT_TRUE(r.result.value("submitDisabled", false)) << describe(r);
  EXPECT_EQ(klab::testing::committed_offset(group, topic), 4);  // Kafka unchanged
  if (consumer) consumer->close();
}

TEST_F(ConsoleE2E, RetentionEditedInTheConfigsTabReachesKafkaAndAnInvalidValueChangesNothing) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-config");
  create_topic(topic, 1);
  const std::string value = "3600000";
  ASSERT_NE(topic_config(topic, "retention.ms"), value);

  auto r = run("config_edit", {{"TOPIC", topic}, {"VALUE", value}, {"BAD", "abc"}});
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_NE(r.result.value("notice", "").find("retention.ms"), std::string::npos) << describe(r);
  EXPECT_EQ(r.result.value("shown", ""), value);
  const auto error = r.result.value("error", "");
  EXPECT_NE(error.find("retention.ms"), std::string::npos) << error;
  EXPECT_EQ(r.result.value("afterReload", ""), value);
  ASSERT_EQ(r.result["puts"].size(), 2u) << describe(r);
  EXPECT_EQ(r.result["puts"][0], 200);
  EXPECT_GE(r.result["puts"][1].get<int>(), 400);
  EXPECT_EQ(topic_config(topic, "retention.ms"), value);  // the bad value changed nothing
}

TEST_F(ConsoleE2E, LiveTailShowsARecordProducedAfterItStartedWithoutAReload) {
  KLAB_ROADMAP("1.2.2");
  const auto topic = unique_name("ui-tail");
  create_topic(topic, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"old-1", "old-2"}, std::nullopt,
                                "old");
  const auto token = random_token();
  const std::string key = "tail-key-" + token;
  const std::string value = R"({"tail":")" + token + R"("})";

  SignalDir signals;
  auto page = std::async(std::launch::async, [&] {
    return run("live_tail", {{"TOPIC", topic}, {"KEY", key}, {"SIGNAL_DIR", signals.path()}});
  });
  std::int64_t offset = -1;
  if (signals.await("tail-open", page)) {
    klab::client::Producer producer(cluster().client_config());
    auto report = producer.send_sync({.topic = topic, .key = key, .value = value}, scaled(30s));
    EXPECT_FALSE(report.error) << report.error.message();
    offset = report.offset;
    signals.send("produced");
  }
  auto r = page.get();
  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("status", 0), 200);
  EXPECT_EQ(r.result.value("key", ""), key);
  EXPECT_EQ(nlohmann::json::parse(r.result.value("value", "null"), nullptr, false),
            nlohmann::json::parse(value))
      << describe(r);
  EXPECT_EQ(offset, 2);
  EXPECT_EQ(r.result.value("offset", -1), offset);
  EXPECT_EQ(r.result.value("freshRows", 0), 1) << "the tail starts at the end, not at old records";
  EXPECT_TRUE(r.result.value("sameDocument", false)) << "the page reloaded";
}

// Kills the cluster: declared last so that it runs after every other browser test.
class ConsoleE2EClusterDown : public ConsoleE2E {};

TEST_F(ConsoleE2EClusterDown, OverviewShowsTheClusterUnreachableWhenItsOnlyNodeDies) {
  KLAB_ROADMAP("1.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  SignalDir signals;
  auto page = std::async(std::launch::async, [&] {
    return run("cluster_down", {{"SIGNAL_DIR", signals.path()}});
  });
  auto& local = cluster().local();
  const auto shot = klab::console::e2e::screenshot_dir() / "cluster-down.png";
  fs::remove(shot);
  bool killed = false;
  if (signals.await("overview-open", page)) {
    local.kill_node(1);
    killed = true;
    signals.send("killed");
  }
  auto r = page.get();
  // Bring the node back whatever the page did, so the binary's teardown finds a whole cluster.
  if (killed) local.start_node(1);

  ASSERT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.result.value("before", ""), "cluster 연결됨");
  EXPECT_EQ(r.result.value("bannersBefore", -1), 0);
  EXPECT_EQ(r.result["live"].value("status", ""), "cluster 연결 불가") << describe(r);
  EXPECT_EQ(r.result["afterReload"].value("status", ""), "cluster 연결 불가") << describe(r);
  EXPECT_GE(r.result["afterReload"]["warnings"].size(), 1u) << describe(r);
  EXPECT_EQ(r.result["afterReload"].value("brokersDown", -1), 1) << describe(r);
  EXPECT_EQ(r.result["pageErrors"], nlohmann::json::array());
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 20'000u);
}

}  // namespace
