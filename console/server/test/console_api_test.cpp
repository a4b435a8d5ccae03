// The console's JSON API against a real cluster: every endpoint's happy path with asserted
// values, its errors, read-only mode, the live streams and the bounded load on the cluster.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "console_test_support.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/schema/avro_serde.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/skip.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .registry = true);

namespace {

using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::console::testing::find_by;
using klab::console::testing::json;
using klab::console::testing::Reply;
using klab::console::testing::TempDir;
using klab::console::testing::TestConsole;
using klab::testing::unique_name;

// Kafka topic names may not contain the '.' and '/' of unique_name()'s suffix on every path.
std::string topic_name(const std::string& purpose) {
  auto n = unique_name(purpose);
  for (auto& c : n)
    if (c == '/') c = '-';
  return n;
}

class ConsoleApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    web_ = new TempDir;
    web_->write("index.html", "<!doctype html><title>console</title>");
    web_->write("assets/app.js", "console.log(1)");
    web_->write("assets/app.css", "body{}");
    console_ = new TestConsole(klab::console::testing::test_options(*web_));
  }
  static void TearDownTestSuite() {
    delete console_;
    delete web_;
  }

  TestConsole& console() { return *console_; }

  void create_topic(const std::string& name, int partitions = 1, json configs = json::object()) {
    auto r = console().post("/api/topics", json{{"name", name},
                                                {"partitions", partitions},
                                                {"replication_factor", 1},
                                                {"configs", configs}});
    ASSERT_EQ(r.status, 201) << r.text;
  }

  json produce(const std::string& topic, const json& message) {
    auto r = console().post("/api/topics/" + topic + "/messages", message);
    EXPECT_EQ(r.status, 201) << r.text;
    return r.body;
  }

  json browse(const std::string& topic, const std::string& query = "") {
    auto r =
        console().get("/api/topics/" + topic + "/messages" + (query.empty() ? "" : "?" + query));
    EXPECT_EQ(r.status, 200) << r.text;
    return r.body;
  }

  static std::vector<std::int64_t> offsets_of(const json& browsed) {
    std::vector<std::int64_t> out;
    for (const auto& m : browsed["messages"]) out.push_back(m["offset"].get<std::int64_t>());
    return out;
  }

  // The group as the console lists it, once the cache has it with `lag` in total.
  json await_group(const std::string& group, std::int64_t total_lag) {
    json found;
    await_until(
        [&] {
          found = find_by(console().get("/api/groups").body["groups"], "group_id", group);
          return found.is_object() && found["total_lag"] == total_lag;
        },
        scaled(60s));
    return found;
  }

  static TempDir* web_;
  static TestConsole* console_;
};

TempDir* ConsoleApi::web_ = nullptr;
TestConsole* ConsoleApi::console_ = nullptr;

TEST_F(ConsoleApi, ConfigReportsTheSettingsAndTheClusterCallsMade) {
  auto r = console().get("/api/config");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["read_only"], false);
  EXPECT_EQ(r.body["bootstrap"], klab::testing::cluster().bootstrap());
  EXPECT_EQ(r.body["refresh_ms"], 1000);
  EXPECT_EQ(r.body["metrics_refresh_ms"], 1000);
  EXPECT_EQ(r.body["console_version"], "0.1.0");
  EXPECT_GT(r.body["started_at_ms"].get<std::int64_t>(), 0);
  ASSERT_TRUE(console().await_refreshes(1, 30s));
  EXPECT_GT(console().get("/api/config").body["cluster_calls"].get<std::int64_t>(), 0);
}

TEST_F(ConsoleApi, SecurityOfAClusterWithoutAuthorizerSaysSoAndListsNothing) {
  KLAB_ROADMAP("8.2.2");
  if (klab::testing::cluster().external()) GTEST_SKIP() << "the lab's plaintext test cluster only";
  auto r = console().get("/api/security");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["authorizer"], false) << r.text;
  EXPECT_EQ(r.body["principal"], "User:ANONYMOUS") << r.text;
  EXPECT_EQ(r.body["acls"], json::array());
}

TEST_F(ConsoleApi, DoctorRunsTheChecklistOnTheClusterAndRefusesABadInterval) {
  KLAB_ROADMAP("8.3.4");
  auto r = console().get("/api/doctor?interval_ms=500");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["interval_ms"], 500);
  ASSERT_EQ(r.body["checks"].size(), 9u) << r.text;
  auto controller = find_by(r.body["checks"], "check", "active controller");
  EXPECT_EQ(controller["status"], "ok") << r.text;
  EXPECT_EQ(find_by(r.body["checks"], "check", "offline partitions")["status"], "ok") << r.text;
  auto bad = console().get("/api/doctor?interval_ms=1");
  EXPECT_EQ(bad.status, 400) << bad.text;
}

TEST_F(ConsoleApi, SchemasListsSubjectsWithVersionsAndARecordNamesTheSchemaItWasWrittenWith) {
  KLAB_ROADMAP("8.1.2");
  if (klab::testing::cluster().registry_url().empty()) GTEST_SKIP() << "no schema registry";
  klab::schema::RegistryClient registry(klab::testing::cluster().registry_url());
  auto topic = topic_name("avro");
  create_topic(topic);
  const std::string v1 =
      R"({"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]})";
  const std::string v2 =
      R"({"type":"record","name":"Order","fields":[{"name":"id","type":"string"},)"
      R"({"name":"qty","type":"int","default":1}]})";
  klab::schema::AvroSerializer first(registry, topic + "-value", v1),
      second(registry, topic + "-value", v2);
  klab::client::Producer producer(klab::testing::cluster().client_config());
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .value = first.serialize({{"id", "a"}})}, scaled(30s))
          .error);
  ASSERT_FALSE(
      producer
          .send_sync({.topic = topic, .value = second.serialize({{"id", "b"}, {"qty", 2}})},
                     scaled(30s))
          .error);

  auto schemas = console().get("/api/schemas");
  ASSERT_EQ(schemas.status, 200) << schemas.text;
  auto subject = find_by(schemas.body["subjects"], "subject", topic + "-value");
  ASSERT_TRUE(subject.is_object()) << schemas.text;
  ASSERT_EQ(subject["versions"].size(), 2u);
  EXPECT_EQ(subject["versions"][1]["id"], second.schema_id());

  auto browsed = browse(topic);
  ASSERT_EQ(browsed["messages"].size(), 2u) << browsed.dump();
  EXPECT_EQ(browsed["messages"][0]["value_schema_id"], first.schema_id());
  EXPECT_EQ(browsed["messages"][1]["value_schema_id"], second.schema_id());
  auto by_id = console().get("/api/schemas/ids/" + std::to_string(second.schema_id()));
  ASSERT_EQ(by_id.status, 200) << by_id.text;
  EXPECT_EQ(by_id.body["used_by"],
            (json::array({{{"subject", topic + "-value"}, {"version", 2}}})));
  EXPECT_NE(by_id.body["schema"].get<std::string>().find("qty"), std::string::npos);
  EXPECT_EQ(console().get("/api/schemas/ids/999999").status, 404);
}

TEST_F(ConsoleApi, SchemasWithoutARegistrySayHowToStartOne) {
  auto options = klab::console::testing::test_options(*web_);
  options.registry_url = "";
  TestConsole bare(options);
  auto list = bare.get("/api/schemas");
  ASSERT_EQ(list.status, 200) << list.text;
  EXPECT_EQ(list.body["registry_url"], "");
  EXPECT_EQ(list.body["subjects"], json::array());
  auto one = bare.get("/api/schemas/ids/1");
  EXPECT_EQ(one.status, 404) << one.text;
  EXPECT_NE(one.text.find("klab up --with-registry"), std::string::npos) << one.text;
}

TEST_F(ConsoleApi, ARecordThatIsNotAvroHasNoSchemaId) {
  auto topic = topic_name("plain");
  create_topic(topic);
  produce(topic, {{"value", "{\"id\":1}"}});
  auto browsed = browse(topic);
  ASSERT_EQ(browsed["messages"].size(), 1u);
  EXPECT_TRUE(browsed["messages"][0]["value_schema_id"].is_null());
}

TEST_F(ConsoleApi, OverviewShowsTheClusterItsBrokerAndQuorum) {
  KLAB_ROADMAP("1.2.2");
  ASSERT_TRUE(console().await_refreshes(1, 30s));
  auto r = console().get("/api/overview");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["reachable"], true);
  EXPECT_TRUE(r.body["cluster_id"].is_string()) << r.text;
  EXPECT_EQ(r.body["controller_id"], 1) << r.text;
  ASSERT_EQ(r.body["brokers"].size(), 1u) << r.text;
  EXPECT_EQ(r.body["brokers"][0]["id"], 1);
  EXPECT_EQ(r.body["brokers"][0]["up"], true);
  EXPECT_EQ(r.body["totals"]["brokers"], 1);
  EXPECT_EQ(r.body["warnings"], json::array()) << r.text;
  if (!klab::testing::cluster().metrics_urls().empty()) {
    // With metrics the quorum comes from the raft metrics: one voter, the leader, lag 0.
    ASSERT_TRUE(await_until(
        [&] { return console().get("/api/overview").body["quorum"].is_object(); }, scaled(30s)));
    auto q = console().get("/api/overview").body["quorum"];
    EXPECT_EQ(q["leader_id"], 1) << q;
    ASSERT_EQ(q["voters"].size(), 1u) << q;
    EXPECT_EQ(q["voters"][0]["lag"], 0) << q;
    EXPECT_EQ(console().get("/api/overview").body["brokers"][0]["metrics_url"],
              klab::testing::cluster().metrics_urls()[0]);
  }
}

TEST_F(ConsoleApi, CreatedTopicIsListedWithItsPartitionsReplicationAndConfigs) {
  KLAB_ROADMAP("1.2.2");
  auto name = topic_name("created");
  create_topic(name, 3, {{"retention.ms", "123456"}});
  auto list = console().get("/api/topics");
  ASSERT_EQ(list.status, 200) << list.text;
  auto t = find_by(list.body["topics"], "name", name);
  ASSERT_TRUE(t.is_object()) << "creating refreshes the cache before answering: " << list.text;
  EXPECT_EQ(t["partitions"], 3);
  EXPECT_EQ(t["replication_factor"], 1);
  EXPECT_EQ(t["internal"], false);
  EXPECT_EQ(t["under_replicated"], 0);
  EXPECT_EQ(t["messages"], 0);

  auto detail = console().get("/api/topics/" + name);
  ASSERT_EQ(detail.status, 200) << detail.text;
  ASSERT_EQ(detail.body["partitions"].size(), 3u);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(detail.body["partitions"][p]["partition"], p);
    EXPECT_EQ(detail.body["partitions"][p]["leader"], 1);
    EXPECT_EQ(detail.body["partitions"][p]["replicas"], json::array({1}));
    EXPECT_EQ(detail.body["partitions"][p]["isr"], json::array({1}));
  }
  auto retention = find_by(detail.body["configs"], "name", "retention.ms");
  EXPECT_EQ(retention["value"], "123456") << retention;
  EXPECT_EQ(retention["source"], "DYNAMIC_TOPIC_CONFIG") << retention;
  EXPECT_EQ(retention["is_default"], false) << retention;

  auto again = console().post("/api/topics", json{{"name", name}});
  EXPECT_EQ(again.status, 409) << again.text;
  EXPECT_EQ(again.body["error"]["code"], "conflict");
  EXPECT_THAT(again.body["error"]["message"].get<std::string>(), ::testing::HasSubstr(name));

  // Finding a group's coordinator makes the broker create __consumer_offsets if it is missing.
  try {
    (void)klab::testing::committed_offset(unique_name("offsets-topic"), name);
  } catch (const klab::KafkaException&) {  // an unknown group: the lookup happened anyway
  }
  ASSERT_TRUE(await_until(
      [&] {
        auto internal = console().get("/api/topics?internal=true");
        return find_by(internal.body["topics"], "name", "__consumer_offsets").is_object();
      },
      scaled(30s)))
      << "?internal=true lists Kafka's own topics";
  EXPECT_TRUE(
      find_by(console().get("/api/topics").body["topics"], "name", "__consumer_offsets").is_null())
      << "the default list hides them";
}

TEST_F(ConsoleApi, ProducedMessagesAreBrowsedWithOffsetsKeysAndHeaders) {
  KLAB_ROADMAP("1.2.2");
  auto name = topic_name("browse");
  create_topic(name);
  for (int i = 0; i < 3; ++i) {
    auto sent = produce(
        name, {{"key", "k" + std::to_string(i)},
               {"value", "value " + std::to_string(i)},
               {"headers", json::array({{{"key", "trace"}, {"value", "t" + std::to_string(i)}}})}});
    EXPECT_EQ(sent["partition"], 0);
    EXPECT_EQ(sent["offset"], i);
  }
  auto b = browse(name);
  ASSERT_EQ(b["messages"].size(), 3u) << b;
  EXPECT_EQ(b["scanned"], 3);
  EXPECT_EQ(b["truncated"], false);
  for (int i = 0; i < 3; ++i) {
    const auto& m = b["messages"][i];
    EXPECT_EQ(m["partition"], 0);
    EXPECT_EQ(m["offset"], i);
    EXPECT_EQ(m["key"], "k" + std::to_string(i));
    EXPECT_EQ(m["value"], "value " + std::to_string(i));
    EXPECT_EQ(m["key_base64"], false);
    EXPECT_EQ(m["timestamp_type"], "CreateTime");
    ASSERT_EQ(m["headers"].size(), 1u) << m;
    EXPECT_EQ(m["headers"][0]["key"], "trace");
    EXPECT_EQ(m["headers"][0]["value"], "t" + std::to_string(i));
  }
  // The list view counts them once the cache refreshed.
  ASSERT_TRUE(await_until(
      [&] {
        return find_by(console().get("/api/topics").body["topics"], "name", name)["messages"] == 3;
      },
      scaled(30s)));
  auto detail = console().get("/api/topics/" + name).body;
  EXPECT_EQ(detail["partitions"][0]["low"], 0);
  EXPECT_EQ(detail["partitions"][0]["high"], 3);
  EXPECT_EQ(detail["partitions"][0]["messages"], 3);
}

TEST_F(ConsoleApi, SearchFindsRecordsByKeyValueOrHeaderIgnoringCase) {
  auto name = topic_name("search");
  create_topic(name);
  produce(name, {{"key", "order-1"}, {"value", "apple"}, {"headers", json::array()}});
  produce(name, {{"key", "order-2"},
                 {"value", "Banana"},
                 {"headers", json::array({{{"key", "source"}, {"value", "mobile-APP"}}})}});
  produce(name, {{"key", nullptr}, {"value", "cherry"}});

  EXPECT_EQ(offsets_of(browse(name, "q=ORDER-2&in=key")), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(offsets_of(browse(name, "q=banana&in=value")), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(offsets_of(browse(name, "q=app&in=value")), (std::vector<std::int64_t>{0}));
  EXPECT_EQ(offsets_of(browse(name, "q=app&in=header")), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(offsets_of(browse(name, "q=app")), (std::vector<std::int64_t>{0, 1}));
  auto none = browse(name, "q=durian");
  EXPECT_EQ(none["messages"].size(), 0u);
  EXPECT_EQ(none["scanned"], 3);
  EXPECT_TRUE(browse(name, "q=cherry")["messages"][0]["key"].is_null());
}

TEST_F(ConsoleApi, FromOffsetTimestampAndEndChooseTheWindow) {
  auto name = topic_name("window");
  create_topic(name);
  std::vector<std::int64_t> times;
  for (int i = 0; i < 4; ++i)
    times.push_back(produce(name, {{"value", "v" + std::to_string(i)}})["timestamp_ms"]);

  EXPECT_EQ(offsets_of(browse(name, "from=offset&offset=2")), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(offsets_of(browse(name, "from=offset&offset=99")), (std::vector<std::int64_t>{}));
  EXPECT_EQ(offsets_of(browse(name, "from=end&limit=2")), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(offsets_of(browse(name, "from=beginning&limit=2")), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(browse(name, "from=beginning&limit=2")["truncated"], true);

  // The first record at or after record 2's timestamp (records may share a millisecond).
  std::int64_t first = 0;
  while (times[first] < times[2]) ++first;
  auto by_time = offsets_of(browse(name, "from=timestamp&timestamp=" + std::to_string(times[2])));
  ASSERT_FALSE(by_time.empty());
  EXPECT_EQ(by_time.front(), first);
  EXPECT_EQ(by_time.back(), 3);
  EXPECT_EQ(
      offsets_of(browse(name, "from=timestamp&timestamp=" + std::to_string(times[3] + 60'000))),
      (std::vector<std::int64_t>{}));
}

TEST_F(ConsoleApi, PartitionFilterReadsOnlyThatPartition) {
  auto name = topic_name("parts");
  create_topic(name, 2);
  produce(name, {{"value", "p0-a"}, {"partition", 0}});
  produce(name, {{"value", "p1-a"}, {"partition", 1}});
  produce(name, {{"value", "p1-b"}, {"partition", 1}});
  auto b = browse(name, "partition=1");
  ASSERT_EQ(b["messages"].size(), 2u) << b;
  for (const auto& m : b["messages"]) EXPECT_EQ(m["partition"], 1);
  EXPECT_EQ(browse(name)["messages"].size(), 3u);
  auto missing = console().get("/api/topics/" + name + "/messages?partition=5");
  EXPECT_EQ(missing.status, 404) << missing.text;
}

TEST_F(ConsoleApi, JsonHtmlAndBinaryValuesComeBackUnchanged) {
  auto name = topic_name("values");
  create_topic(name);
  std::string json_value = R"({"order":7,"items":["a","b"]})";
  std::string html_value = "<script>alert(1)</script>";
  produce(name, {{"value", json_value}});
  produce(name, {{"value", html_value}});
  {  // Bytes that are not UTF-8 come back as base64.
    klab::client::Producer producer(klab::testing::cluster().client_config());
    auto report = producer.send_sync(
        {name, 0, std::string("\xff\x00\x01", 3), std::string("\xc3\x28\xfe", 3), {}, {}}, 30s);
    ASSERT_FALSE(report.error) << report.error;
  }
  auto b = browse(name);
  ASSERT_EQ(b["messages"].size(), 3u) << b;
  EXPECT_EQ(b["messages"][0]["value"], json_value) << "JSON is returned as the same string";
  EXPECT_EQ(b["messages"][1]["value"], html_value) << "the page renders it as text, never HTML";
  EXPECT_EQ(b["messages"][1]["value_base64"], false);
  EXPECT_EQ(b["messages"][2]["key"], "/wAB");
  EXPECT_EQ(b["messages"][2]["key_base64"], true);
  EXPECT_EQ(b["messages"][2]["value"], "wyj+");
  EXPECT_EQ(b["messages"][2]["value_base64"], true);
}

TEST_F(ConsoleApi, ConfigChangesAreIncrementalAndShowInDescribe) {
  KLAB_ROADMAP("1.2.2");
  auto name = topic_name("configs");
  create_topic(name, 1, {{"max.message.bytes", "200000"}});
  auto r =
      console().put("/api/topics/" + name + "/configs", {{"configs", {{"retention.ms", "60000"}}}});
  ASSERT_EQ(r.status, 200) << r.text;
  auto detail = console().get("/api/topics/" + name).body;
  EXPECT_EQ(find_by(detail["configs"], "name", "retention.ms")["value"], "60000");
  EXPECT_EQ(find_by(detail["configs"], "name", "retention.ms")["source"], "DYNAMIC_TOPIC_CONFIG");
  EXPECT_EQ(find_by(detail["configs"], "name", "max.message.bytes")["value"], "200000")
      << "an override not named in the change stays";
  auto reset =
      console().put("/api/topics/" + name + "/configs", {{"configs", {{"retention.ms", nullptr}}}});
  ASSERT_EQ(reset.status, 200) << reset.text;
  EXPECT_NE(find_by(reset.body["configs"], "name", "retention.ms")["source"],
            "DYNAMIC_TOPIC_CONFIG")
      << "null removes the override";
  EXPECT_EQ(find_by(console().get("/api/topics/" + name).body["configs"], "name",
                    "max.message.bytes")["value"],
            "200000");
  auto unknown =
      console().put("/api/topics/" + name + "/configs", {{"configs", {{"retention.msx", "1"}}}});
  EXPECT_EQ(unknown.status, 400) << unknown.text;
  EXPECT_THAT(unknown.body["error"]["message"].get<std::string>(),
              ::testing::HasSubstr("retention.msx"));
}

TEST_F(ConsoleApi, DeletingATopicNeedsItsNameAsConfirmation) {
  KLAB_ROADMAP("1.2.2");
  auto name = topic_name("delete");
  create_topic(name);
  auto unconfirmed = console().del("/api/topics/" + name);
  EXPECT_EQ(unconfirmed.status, 400) << unconfirmed.text;
  EXPECT_EQ(unconfirmed.body["error"]["code"], "confirmation_required");
  auto wrong = console().del("/api/topics/" + name + "?confirm=" + name + "x");
  EXPECT_EQ(wrong.body["error"]["code"], "confirmation_required");
  EXPECT_TRUE(find_by(console().get("/api/topics").body["topics"], "name", name).is_object());

  auto deleted = console().del("/api/topics/" + name + "?confirm=" + name);
  ASSERT_EQ(deleted.status, 200) << deleted.text;
  EXPECT_EQ(deleted.body["deleted"], name);
  EXPECT_TRUE(find_by(console().get("/api/topics").body["topics"], "name", name).is_null());
  ASSERT_TRUE(
      await_until([&] { return console().get("/api/topics/" + name).status == 404; }, scaled(30s)));
}

TEST_F(ConsoleApi, GroupIsListedWithLagEqualToEndMinusCommitted) {
  KLAB_ROADMAP("1.2.2");
  auto name = topic_name("lag");
  auto group = topic_name("lag-g");
  create_topic(name);
  for (int i = 0; i < 5; ++i) produce(name, {{"value", "m" + std::to_string(i)}});
  {
    klab::client::Consumer consumer(
        klab::testing::consumer_config(klab::testing::cluster().client_config(), group)
            .enable_auto_commit(false));
    consumer.subscribe({name});
    auto read = klab::testing::consume_n(consumer, 3, 60s);
    ASSERT_EQ(read.size(), 3u);
    consumer.commit_sync(read.back());  // committed offset 3 of end 5
    consumer.close();
  }
  auto listed = await_group(group, 2);
  ASSERT_TRUE(listed.is_object()) << console().get("/api/groups").text;
  EXPECT_EQ(listed["state"], "Empty");
  EXPECT_EQ(listed["members"], 0);
  EXPECT_EQ(listed["topics"], json::array({name}));

  auto detail = console().get("/api/groups/" + group);
  ASSERT_EQ(detail.status, 200) << detail.text;
  EXPECT_EQ(detail.body["total_lag"], 2);
  ASSERT_EQ(detail.body["offsets"].size(), 1u) << detail.text;
  EXPECT_EQ(detail.body["offsets"][0]["committed"], 3);
  EXPECT_EQ(detail.body["offsets"][0]["end"], 5);
  EXPECT_EQ(detail.body["offsets"][0]["lag"], 2);
  EXPECT_FALSE(detail.body["lag_history"].empty());
  EXPECT_EQ(detail.body["lag_history"].back()["lag"], 2);
}

TEST_F(ConsoleApi, ResetOffsetsIsRefusedWhileMembersAreActiveAndWorksWhenEmpty) {
  auto name = topic_name("reset");
  auto group = topic_name("reset-g");
  create_topic(name);
  for (int i = 0; i < 4; ++i) produce(name, {{"value", "m" + std::to_string(i)}});
  klab::client::Consumer consumer(
      klab::testing::consumer_config(klab::testing::cluster().client_config(), group)
          .enable_auto_commit(false));
  consumer.subscribe({name});
  auto read = klab::testing::consume_n(consumer, 4, 60s);
  ASSERT_EQ(read.size(), 4u);
  consumer.commit_sync(read.back());

  json body{{"to", "earliest"}, {"confirm", group}};
  auto refused = console().post("/api/groups/" + group + "/reset-offsets", body);
  EXPECT_EQ(refused.status, 409) << refused.text;
  EXPECT_EQ(refused.body["error"]["code"], "conflict");
  EXPECT_THAT(refused.body["error"]["message"].get<std::string>(),
              ::testing::HasSubstr("stop its consumers"));
  consumer.close();

  auto unconfirmed =
      console().post("/api/groups/" + group + "/reset-offsets", json{{"to", "earliest"}});
  EXPECT_EQ(unconfirmed.body["error"]["code"], "confirmation_required") << unconfirmed.text;

  Reply reset;
  // The coordinator may still be finishing the member's LeaveGroup: retry while it says busy.
  await_until(
      [&] {
        reset = console().post("/api/groups/" + group + "/reset-offsets", body);
        return reset.status != 409;
      },
      scaled(30s));
  ASSERT_EQ(reset.status, 200) << reset.text;
  ASSERT_EQ(reset.body["offsets"].size(), 1u) << reset.text;
  EXPECT_EQ(reset.body["offsets"][0]["topic"], name);
  EXPECT_EQ(reset.body["offsets"][0]["partition"], 0);
  EXPECT_EQ(reset.body["offsets"][0]["offset"], 0);
  EXPECT_EQ(klab::testing::committed_offset(group, name, 0), 0);
  EXPECT_EQ(console().get("/api/groups/" + group).body["total_lag"], 4);

  // An exact offset, clamped like the CLI's --to-offset (one planner behind both).
  auto exact = console().post("/api/groups/" + group + "/reset-offsets",
                              json{{"to", "offset"}, {"offset", 2}, {"confirm", group}});
  ASSERT_EQ(exact.status, 200) << exact.text;
  EXPECT_EQ(exact.body["offsets"][0]["offset"], 2);
  EXPECT_EQ(klab::testing::committed_offset(group, name, 0), 2);
  auto beyond = console().post("/api/groups/" + group + "/reset-offsets",
                               json{{"to", "offset"}, {"offset", 99}, {"confirm", group}});
  ASSERT_EQ(beyond.status, 200) << beyond.text;
  EXPECT_EQ(beyond.body["offsets"][0]["offset"], 4) << "clamped to the log end";
  EXPECT_EQ(beyond.body["offsets"][0]["note"], "99 is outside 0..4");

  auto latest = console().post("/api/groups/" + group + "/reset-offsets",
                               json{{"to", "latest"}, {"confirm", group}, {"topic", name}});
  ASSERT_EQ(latest.status, 200) << latest.text;
  EXPECT_EQ(latest.body["offsets"][0]["offset"], 4);
}

TEST_F(ConsoleApi, LessonsListTheRoadmapItemsWithTheirStatus) {
  auto r = console().get("/api/lessons");
  ASSERT_EQ(r.status, 200) << r.text;
  std::ifstream in(klab::console::testing::source_dir() / "roadmap.json");
  auto roadmap = json::parse(in);
  EXPECT_EQ(r.body["summary"]["total"], roadmap["items"].size());
  EXPECT_EQ(r.body["phases"].size(), roadmap["phases"].size());
  auto phase1 = find_by(r.body["phases"], "id", "1");
  ASSERT_TRUE(phase1.is_object()) << r.text;
  EXPECT_EQ(phase1["guide"], "lessons/p1_concepts/README.md");
  auto item = find_by(phase1["items"], "id", "1.1.1");
  ASSERT_TRUE(item.is_object());
  EXPECT_FALSE(item["tests"].empty());
  // No reports in this console's results folder: listed tests have not run.
  EXPECT_EQ(item["status"], "missing");
  for (const auto& phase : r.body["phases"])
    for (const auto& i : phase["items"])
      EXPECT_EQ(i["status"], i["tests"].empty() ? "none" : "missing") << i;
}

TEST_F(ConsoleApi, GuidesServeLessonMarkdownAndRefusePathsOutsideLessonsAndDocs) {
  auto guide = console().get("/api/guides/lessons/p1_concepts/README.md");
  ASSERT_EQ(guide.status, 200) << guide.text;
  EXPECT_THAT(guide.content_type, ::testing::StartsWith("text/markdown"));
  EXPECT_THAT(guide.text, ::testing::StartsWith("# Phase 1"));
  for (std::string bad :
       {"/api/guides/lessons/../roadmap.json", "/api/guides/lessons/../../../etc/passwd.md",
        "/api/guides/lessons/%2e%2e/%2e%2e/etc/hosts.md",
        "/api/guides/docs/../lessons/p1_concepts/README.md", "/api/guides/roadmap.json",
        "/api/guides/README.md", "/api/guides/lessons/p1_concepts/01_architecture_test.cpp",
        "/api/guides/lessons/nope.md"}) {
    auto r = console().get(bad);
    EXPECT_EQ(r.status, 404) << bad << ": " << r.text;
    EXPECT_EQ(r.body["error"]["code"], "not_found") << bad;
  }
}

TEST_F(ConsoleApi, ReportChartsAreServedAsImagesAndNothingElseFromTheReportsFolder) {
  auto svg = console().get("/api/reports/producer_sweep_throughput.svg");
  ASSERT_EQ(svg.status, 200) << svg.text;
  EXPECT_THAT(svg.content_type, ::testing::StartsWith("image/svg+xml"));
  EXPECT_THAT(svg.text, ::testing::HasSubstr("<svg"));
  for (std::string bad : {"/api/reports/compare_perf.md", "/api/reports/../../roadmap.json",
                          "/api/reports/%2e%2e%2f%2e%2e%2froadmap.json", "/api/reports/nope.svg",
                          "/api/reports/.hidden.svg", "/api/reports/sub/chart.svg"}) {
    auto r = console().get(bad);
    EXPECT_EQ(r.status, 404) << bad << ": " << r.text;
  }
}

TEST_F(ConsoleApi, DocScreenshotsAreServedAsImagesAndNothingElseFromTheDocsFolder) {
  auto png = console().get("/api/doc-images/console-rebalance-timeline.png");
  ASSERT_EQ(png.status, 200) << png.text;
  EXPECT_THAT(png.content_type, ::testing::StartsWith("image/png"));
  EXPECT_EQ(png.text.substr(1, 3), "PNG");
  for (std::string bad : {"/api/doc-images/console.md", "/api/doc-images/../console.md",
                          "/api/doc-images/%2e%2e%2fconsole.md", "/api/doc-images/nope.png",
                          "/api/doc-images/sub/x.png"}) {
    auto r = console().get(bad);
    EXPECT_EQ(r.status, 404) << bad << ": " << r.text;
  }
}

TEST_F(ConsoleApi, EachRoadmapItemLinksTheGuideOfItsOwnSection) {
  auto r = console().get("/api/lessons");
  ASSERT_EQ(r.status, 200) << r.text;
  auto phase7 = find_by(r.body["phases"], "id", "7");
  ASSERT_TRUE(phase7.is_object());
  ASSERT_EQ(phase7["guides"].size(), 3u) << phase7["guides"];
  EXPECT_EQ(find_by(phase7["items"], "id", "7.1.1")["guide"], "lessons/p7_tuning/README.md");
  EXPECT_EQ(find_by(phase7["items"], "id", "7.2.1")["guide"], "lessons/p7_monitoring/README.md");
  EXPECT_EQ(find_by(phase7["items"], "id", "7.3.1")["guide"],
            "lessons/p7_troubleshooting/README.md");
  auto phase1 = find_by(r.body["phases"], "id", "1");
  EXPECT_EQ(find_by(phase1["items"], "id", "1.1.1")["guide"], "lessons/p1_concepts/README.md");
}

TEST_F(ConsoleApi, StaticFilesHaveTheirContentTypesAndUnknownPagesGetIndex) {
  auto index = console().get("/");
  ASSERT_EQ(index.status, 200);
  EXPECT_THAT(index.content_type, ::testing::StartsWith("text/html"));
  EXPECT_THAT(index.text, ::testing::HasSubstr("<title>console</title>"));
  auto js = console().get("/assets/app.js");
  EXPECT_THAT(js.content_type, ::testing::StartsWith("text/javascript"));
  EXPECT_EQ(js.text, "console.log(1)");
  EXPECT_THAT(console().get("/assets/app.css").content_type, ::testing::StartsWith("text/css"));
  auto route = console().get("/topics/some-topic");
  EXPECT_EQ(route.status, 200);
  EXPECT_THAT(route.text, ::testing::HasSubstr("<title>console</title>"));
  auto api = console().get("/api/nothing-here");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.body["error"]["code"], "not_found");

  TempDir empty;
  TestConsole unbuilt(klab::console::testing::test_options(empty));
  auto page = unbuilt.get("/");
  EXPECT_EQ(page.status, 503);
  EXPECT_THAT(page.text, ::testing::HasSubstr("run scripts/setup to build the console"));
  EXPECT_EQ(unbuilt.get("/api/config").status, 200) << "the API works without the page";
}

TEST_F(ConsoleApi, BadInputGetsAJsonErrorNamingWhatWasWrong) {
  auto name = topic_name("bad");
  create_topic(name);
  struct Case {
    Reply reply;
    int status;
    std::string code, mentions;
  };
  std::vector<Case> cases{
      {console().post("/api/topics", json{{"name", "bad name!"}}), 400, "invalid_input",
       "bad name!"},
      {console().post("/api/topics", json{{"name", ".."}}), 400, "invalid_input", "topic name"},
      {console().post("/api/topics", json{{"name", name + "-z"}, {"partitions", 0}}), 400,
       "invalid_input", "partitions"},
      {console().post("/api/topics", json{{"name", name + "-z"}, {"partitions", "3"}}), 400,
       "invalid_input", "partitions"},
      {console().post("/api/topics", json{{"name", name + "-z"}, {"replication_factor", 2}}), 400,
       "invalid_input", "replication_factor"},
      {console().post("/api/topics", std::string("{not json")), 400, "invalid_input", "JSON"},
      {console().post("/api/topics", std::string("[1,2]")), 400, "invalid_input", "object"},
      {console().get("/api/topics/no-such-topic-" + name), 404, "not_found", "does not exist"},
      {console().get("/api/topics/no-such-topic-" + name + "/messages"), 404, "not_found",
       "does not exist"},
      {console().get("/api/topics/" + name + "/messages?limit=0"), 400, "invalid_input", "limit"},
      {console().get("/api/topics/" + name + "/messages?limit=501"), 400, "invalid_input", "limit"},
      {console().get("/api/topics/" + name + "/messages?from=middle"), 400, "invalid_input",
       "from"},
      {console().get("/api/topics/" + name + "/messages?from=offset&offset=-1"), 400,
       "invalid_input", "offset"},
      {console().get("/api/topics/" + name + "/messages?from=timestamp&timestamp=yesterday"), 400,
       "invalid_input", "timestamp"},
      {console().get("/api/topics/" + name + "/messages?in=body"), 400, "invalid_input", "in="},
      {console().post("/api/topics/" + name + "/messages", json{{"value", 5}}), 400,
       "invalid_input", "value"},
      {console().post("/api/topics/" + name + "/messages", json{{"value", "x"}, {"partition", 9}}),
       400, "invalid_input", "partition 9"},
      {console().get("/api/groups/no-such-group-" + name), 404, "not_found", "no consumer group"},
      {console().post("/api/groups/no-such-group-" + name + "/reset-offsets",
                      json{{"to", "earliest"}, {"confirm", "no-such-group-" + name}}),
       404, "not_found", "no committed offsets"},
      {console().post("/api/groups/g/reset-offsets", json{{"to", "middle"}, {"confirm", "g"}}), 400,
       "invalid_input", "to"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.reply.status, c.status) << c.reply.text;
    EXPECT_EQ(c.reply.body["error"]["code"], c.code) << c.reply.text;
    EXPECT_THAT(c.reply.body["error"]["message"].get<std::string>(),
                ::testing::HasSubstr(c.mentions));
  }
  // A timestamp in ISO-8601 is accepted.
  EXPECT_EQ(
      console()
          .get("/api/topics/" + name + "/messages?from=timestamp&timestamp=2020-01-01T00:00:00Z")
          .status,
      200);
}

TEST_F(ConsoleApi, ReadOnlyConsoleRefusesEveryChangeWith403) {
  auto name = topic_name("ro");
  create_topic(name);
  TempDir web;
  auto options = klab::console::testing::test_options(web);
  options.read_only = true;
  TestConsole ro(options);
  EXPECT_EQ(ro.get("/api/config").body["read_only"], true);
  std::vector<Reply> replies{
      ro.post("/api/topics", json{{"name", name + "-new"}}),
      ro.put("/api/topics/" + name + "/configs", {{"configs", {{"retention.ms", "1000"}}}}),
      ro.del("/api/topics/" + name + "?confirm=" + name),
      ro.post("/api/topics/" + name + "/messages", json{{"value", "x"}}),
      ro.post("/api/groups/g/reset-offsets", json{{"to", "earliest"}, {"confirm", "g"}}),
  };
  for (const auto& r : replies) {
    EXPECT_EQ(r.status, 403) << r.text;
    EXPECT_EQ(r.body["error"]["code"], "read_only") << r.text;
  }
  EXPECT_EQ(ro.get("/api/topics/" + name).status, 200) << "reading still works";
  EXPECT_EQ(browse(name)["messages"].size(), 0u) << "nothing was produced";
  EXPECT_TRUE(
      find_by(console().get("/api/topics").body["topics"], "name", name + "-new").is_null());
}

// Reads an SSE stream until `done` returns true for the text received so far, or the deadline.
std::string read_stream(std::uint16_t port, const std::string& path,
                        const std::function<bool(const std::string&)>& done,
                        std::atomic<bool>* connected = nullptr) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(scaled(60s));
  std::string text;
  auto deadline = std::chrono::steady_clock::now() + scaled(60s);
  client.Get(path, [&](const char* data, std::size_t size) {
    text.append(data, size);
    if (connected) *connected = true;
    return !done(text) && std::chrono::steady_clock::now() < deadline;
  });
  return text;
}

// The JSON of the first `event` in an SSE text, or null.
json first_event(const std::string& text, const std::string& event) {
  auto at = text.find("event: " + event + "\n");
  if (at == std::string::npos) return nullptr;
  auto data = text.find("data: ", at);
  auto end = text.find("\n\n", data);
  if (data == std::string::npos || end == std::string::npos) return nullptr;
  return json::parse(text.substr(data + 6, end - data - 6), nullptr, false);
}

TEST_F(ConsoleApi, EventsStreamDeliversOverviewGroupsAndMetrics) {
  auto text = read_stream(console().port(), "/api/events", [](const std::string& t) {
    return first_event(t, "overview").is_object() && first_event(t, "groups").is_object();
  });
  auto overview = first_event(text, "overview");
  ASSERT_TRUE(overview.is_object()) << text;
  EXPECT_EQ(overview["reachable"], true);
  EXPECT_EQ(overview["brokers"].size(), 1u);
  EXPECT_TRUE(first_event(text, "groups")["groups"].is_array());
  if (!klab::testing::cluster().metrics_urls().empty()) {
    auto with_metrics = read_stream(console().port(), "/api/events", [](const std::string& t) {
      return first_event(t, "metrics").is_object();
    });
    EXPECT_TRUE(first_event(with_metrics, "metrics").contains("brokers")) << with_metrics;
  }
}

TEST_F(ConsoleApi, TailStreamsRecordsProducedAfterItOpened) {
  auto name = topic_name("tail");
  create_topic(name);
  produce(name, {{"value", "before"}});
  std::atomic<bool> connected{false}, got{false};
  std::string text;
  std::thread reader([&] {
    text = read_stream(
        console().port(), "/api/topics/" + name + "/tail",
        [&](const std::string& t) { return got = t.find("event: message") != std::string::npos; },
        &connected);
  });
  // The tail starts at the end once its consumer is assigned: keep producing until one arrives.
  int sent = 0;
  await_until(
      [&] {
        if (got) return true;
        if (connected) produce(name, {{"value", "live-" + std::to_string(sent++)}});
        return false;
      },
      scaled(60s), 300ms);
  reader.join();
  auto m = first_event(text, "message");
  ASSERT_TRUE(m.is_object()) << text;
  EXPECT_THAT(m["value"].get<std::string>(), ::testing::StartsWith("live-"));
  EXPECT_GE(m["offset"].get<std::int64_t>(), 1) << "the record produced before is not replayed";
}

TEST_F(ConsoleApi, ClusterCallsPerRefreshAreBoundedWhateverTheNumberOfReaders) {
  ASSERT_TRUE(console().await_refreshes(1, 30s));
  auto before = console().get("/api/config").body;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(console().get("/api/topics").status, 200);
    ASSERT_EQ(console().get("/api/overview").status, 200);
    ASSERT_EQ(console().get("/api/groups").status, 200);
    ASSERT_EQ(console().get("/api/metrics").status, 200);
  }
  ASSERT_TRUE(console().await_refreshes(3, 60s));
  auto after = console().get("/api/config").body;
  auto calls =
      after["cluster_calls"].get<std::int64_t>() - before["cluster_calls"].get<std::int64_t>();
  auto refresher =
      after["refresher_calls"].get<std::int64_t>() - before["refresher_calls"].get<std::int64_t>();
  auto refreshes = after["refreshes"].get<std::int64_t>() - before["refreshes"].get<std::int64_t>();
  EXPECT_EQ(calls, refresher) << "120 GETs of cached lists made no cluster call of their own";
  auto groups = static_cast<std::int64_t>(console().get("/api/groups").body["groups"].size());
  // Per refresh: cluster, topic names, topic metadata, two offset lookups, group list, and one
  // committed-offsets request per group. ("+ 1" refresh: one may have been under way.)
  EXPECT_LE(refresher, (refreshes + 1) * (6 + groups))
      << refreshes << " refreshes, " << groups << " groups";
  EXPECT_GE(refresher, refreshes * 6) << "every refresh reads the cluster";
}

TEST_F(ConsoleApi, MetricsShowMessagesInPerTopicAndPerBrokerAfterProducing) {
  KLAB_ROADMAP("7.2.1");
  if (klab::testing::cluster().metrics_urls().empty())
    KLAB_SKIP("the cluster exposes no broker metrics (KLAB_METRICS_URLS unset)");
  auto name = topic_name("metrics");
  create_topic(name);
  json metrics, topic;
  int sent = 0;
  // Rates are the difference of two scrapes: keep producing until a scrape pair sees them.
  bool seen = await_until(
      [&] {
        for (int i = 0; i < 5; ++i) produce(name, {{"value", "m" + std::to_string(sent++)}});
        metrics = console().get("/api/metrics").body;
        topic = find_by(metrics["topics"], "topic", name);
        return topic.is_object() && topic["messages_in_per_sec"].get<double>() > 0 &&
               metrics["brokers"][0]["messages_in_per_sec"].is_number() &&
               metrics["brokers"][0]["messages_in_per_sec"].get<double>() > 0;
      },
      scaled(60s), 500ms);
  ASSERT_TRUE(seen) << metrics;
  EXPECT_EQ(metrics["available"], true);
  EXPECT_TRUE(metrics["reason"].is_null());
  EXPECT_GT(topic["bytes_in_per_sec"].get<double>(), 0);
  const auto& broker = metrics["brokers"][0];
  EXPECT_EQ(broker["id"], 1);
  EXPECT_EQ(broker["up"], true);
  EXPECT_EQ(broker["url"], klab::testing::cluster().metrics_urls()[0]);
  EXPECT_EQ(broker["under_replicated"], 0.0);
  EXPECT_EQ(broker["active_controller"], 1.0) << "the only node is the active controller";
  EXPECT_GE(broker["request_handler_idle_ratio"].get<double>(), 0.0);
  EXPECT_LE(broker["request_handler_idle_ratio"].get<double>(), 1.0);
  EXPECT_TRUE(broker["request_latency_ms"]["Produce"]["p99"].is_number()) << broker;

  auto history = console().get("/api/metrics/history").body;
  ASSERT_FALSE(history["t_ms"].empty());
  ASSERT_TRUE(history["topics"].contains(name)) << history;
  EXPECT_EQ(history["topics"][name]["messages_in"].size(), history["t_ms"].size());
  EXPECT_EQ(history["brokers"]["1"]["messages_in"].size(), history["t_ms"].size());
  auto series = history["topics"][name]["messages_in"];
  EXPECT_TRUE(std::any_of(series.begin(), series.end(), [](const json& v) { return v > 0; }));
  // The list shows the topic's size on disk from the same metrics.
  ASSERT_TRUE(await_until(
      [&] {
        auto t = find_by(console().get("/api/topics").body["topics"], "name", name);
        return t["size_bytes"].is_number() && t["size_bytes"].get<double>() > 0;
      },
      scaled(60s)));
}

TEST_F(ConsoleApi, MetricsTopicRateAddsUpToTheRecordsProducedInItsWindow) {
  KLAB_ROADMAP("7.2.1");
  if (klab::testing::cluster().metrics_urls().empty())
    KLAB_SKIP("the cluster exposes no broker metrics (KLAB_METRICS_URLS unset)");
  auto name = topic_name("metrics-sum");
  create_topic(name);
  // A scrape before the first record, so the first rate of the topic has a window to cover.
  ASSERT_TRUE(await_until(
      [&] { return !console().get("/api/metrics/history").body["t_ms"].empty(); }, scaled(30s)));
  constexpr int produced = 300;
  klab::testing::produce_values(klab::testing::cluster().client_config(), name,
                                klab::testing::numbered_values(0, produced));
  // The counter the rates come from counts exactly the records sent, once a scrape saw them all,
  // and one more scrape after that puts the last rate in the history.
  json topic;
  std::int64_t complete_at = 0;
  ASSERT_TRUE(await_until(
      [&] {
        auto metrics = console().get("/api/metrics").body;
        topic = find_by(metrics["topics"], "topic", name);
        if (!topic.is_object() || !topic["messages_in_total"].is_number()) return false;
        if (topic["messages_in_total"].get<double>() < produced) return false;
        if (!complete_at) complete_at = metrics["at_ms"].get<std::int64_t>();
        return metrics["at_ms"].get<std::int64_t>() > complete_at;
      },
      scaled(60s), 200ms))
      << topic;
  EXPECT_EQ(topic["messages_in_total"].get<double>(), produced) << "no more, no fewer";

  // Each history point is a rate over its broker's window (the time since that exporter's
  // previous answer): rate x window, summed over the history, gives back the records produced.
  auto history = console().get("/api/metrics/history").body;
  auto rates = history["topics"][name]["messages_in"];
  auto windows = history["brokers"]["1"]["window_ms"];
  ASSERT_EQ(rates.size(), windows.size()) << history;
  double records = 0;
  for (std::size_t i = 0; i < rates.size(); ++i)
    records += rates[i].get<double>() * windows[i].get<double>() / 1000.0;
  EXPECT_NEAR(records, produced, 0.01) << history;
}

}  // namespace
