// Practice system 4 end to end: three sources (a stores' file through Kafka Connect's file
// source, the product table through Debezium, a web endpoint of the app's own), the C++ stream
// step (validate, join with the catalog, enrich; dead letters with a reason) and the PostgreSQL
// sink. The Connect worker is killed while the file keeps growing: nothing may be lost.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "klab/apps/app_support.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "sales.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .postgres = true);

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::read_text;
using klab::testing::unique_name;

// Store line i: every 30th is not JSON, every 30th + 15 names a product that does not exist.
std::string store_line(int i) {
  if (i % 30 == 0) return "garbage {" + std::to_string(i);
  std::string sku = i % 30 == 15 ? "SKU-999" : "SKU-" + std::to_string(1 + i % 20);
  return nlohmann::json{{"sale_id", "store-" + std::to_string(i)}, {"sku", sku}, {"qty", 1 + i % 4}}
      .dump();
}

// Web sale i: every 40th has a negative quantity, every 40th + 20 no sku.
nlohmann::json web_sale(int i) {
  nlohmann::json s{{"sale_id", "web-" + std::to_string(i)},
                   {"sku", "SKU-" + std::to_string(1 + i % 20)},
                   {"qty", i % 40 == 0 ? -1 : 1 + i % 3}};
  if (i % 40 == 20) s.erase("sku");
  return s;
}

TEST(PipelineApp,
     ValidSalesFromThreeSourcesReachTheSinkEnrichedAndInvalidOnesTheDltAcrossAWorkerCrash) {
  KLAB_ROADMAP("project.4");
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  const auto dir = fs::temp_directory_path() / unique_name("pipeline");
  fs::create_directories(dir);
  const auto tag = std::to_string(::getpid());
  const std::string base = cluster().postgres(), source_db = "catalog_" + tag,
                    sink_db = "sink_" + tag, name = "pipe" + tag;
  klab::apps::pipeline::PipelineTopics topics{.prefix = "p" + tag + "."};
  const auto file = dir / "store-sales.jsonl";
  {
    std::ofstream out(file);
    for (int i = 1; i <= 300; ++i) out << store_line(i) << "\n";
  }
  auto connect_port = klab::cluster::find_free_port_block(1, 30000).value();
  klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                      {.bootstrap = cluster().bootstrap(),
                                       .dir = dir / "connect",
                                       .rest_port = connect_port,
                                       .group_id = "connect-" + tag});
  connect.start(true);
  auto setup = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{PIPELINE_SETUP_PATH,
                                  "--prefix",
                                  topics.prefix,
                                  "--postgres",
                                  base,
                                  "--database",
                                  source_db,
                                  "--file",
                                  file.string(),
                                  "--name",
                                  name,
                                  "--connect-port",
                                  std::to_string(connect_port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return klab::cluster::run_command(argv, scaled(120s));
  };
  auto ready = setup();
  ASSERT_EQ(ready.exit_code, 0) << ready.output << read_text(connect.log_file());

  auto start = [&](const std::string& program, const std::string& log,
                   std::vector<std::string> args) {
    args.insert(args.begin(), {program, "--prefix", topics.prefix});
    return klab::testing::start_logged(dir, log, args);
  };
  // The stream step loads the catalog at start: wait until Debezium's snapshot is in Kafka.
  ASSERT_TRUE(await_until(
      [&] {
        try {
          return klab::testing::end_offset(topics.products(), 0) >= 20;
        } catch (const std::exception&) {
          return false;
        }
      },
      scaled(60s)));
  auto web_port = klab::cluster::find_free_port_block(1, 30000).value();
  auto ingest = start(PIPELINE_INGEST_PATH, "ingest.log", {"--port", std::to_string(web_port)});
  auto stream = start(PIPELINE_STREAM_PATH, "stream.log", {"--group", "stream-" + tag});
  auto sink = start(PIPELINE_SINK_PATH, "sink.log",
                    {"--group", "sink-" + tag, "--postgres", base, "--database", sink_db});

  httplib::Client web("127.0.0.1", web_port);
  ASSERT_TRUE(await_until([&] { return static_cast<bool>(web.Get("/health")); }, scaled(30s)));
  std::string body;
  for (int i = 1; i <= 200; ++i) body += web_sale(i).dump() + "\n";
  auto posted = web.Post("/sales", body, "application/x-ndjson");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 202) << posted->body;
  EXPECT_EQ(nlohmann::json::parse(posted->body)["accepted"], 200);

  auto rows = [&] {
    try {
      pqxx::connection c(klab::apps::database_conninfo(base, sink_db));
      pqxx::nontransaction n(c);
      return n.exec("SELECT count(*) FROM sales")[0][0].as<long>();
    } catch (const std::exception&) {
      return -1L;
    }
  };
  // 280 valid store sales + 190 valid web sales.
  ASSERT_TRUE(await_until([&] { return rows() == 470; }, scaled(120s)))
      << rows() << " rows\n"
      << read_text(dir / "stream.log");

  // The worker dies; the stores keep writing; a new worker continues from the committed
  // position in the file.
  ASSERT_TRUE(connect.kill());
  {
    std::ofstream out(file, std::ios::app);
    for (int i = 301; i <= 400; ++i) out << store_line(i) << "\n";
  }
  connect.start(true);
  connect.await_running(name + "-store-file", scaled(120s));
  // 400 store lines: 26 refused (13 not JSON, 13 unknown sku); 374 + 190.
  ASSERT_TRUE(await_until([&] { return rows() == 564; }, scaled(120s))) << rows() << " rows";

  // The sink's contents: every valid sale once, priced from the catalog table.
  pqxx::connection c(klab::apps::database_conninfo(base, sink_db));
  pqxx::nontransaction n(c);
  std::map<std::string, std::int64_t> price;
  {
    pqxx::connection s(klab::apps::database_conninfo(base, source_db));
    pqxx::nontransaction sn(s);
    for (const auto& r : sn.exec("SELECT sku, price_cents FROM products"))
      price[r[0].c_str()] = r[1].as<std::int64_t>();
  }
  std::size_t wrong = 0, store = 0, webs = 0;
  std::set<std::string> ids;
  for (const auto& r : n.exec("SELECT sale_id, sku, qty, amount_cents, channel FROM sales")) {
    ids.insert(r[0].c_str());
    wrong += r[3].as<std::int64_t>() != r[2].as<std::int64_t>() * price[r[1].c_str()];
    (std::string(r[4].c_str()) == "store" ? store : webs)++;
  }
  std::size_t missing = 0;
  for (int i = 1; i <= 400; ++i)
    if (i % 30 != 0 && i % 30 != 15) missing += ids.count("store-" + std::to_string(i)) == 0;
  for (int i = 1; i <= 200; ++i)
    if (i % 40 != 0 && i % 40 != 20) missing += ids.count("web-" + std::to_string(i)) == 0;
  EXPECT_EQ(store, 374u);
  EXPECT_EQ(webs, 190u);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(wrong, 0u) << "amount = qty x the catalog's price";

  // Dead letters: each refused input once per delivery, with its reason.
  auto dlt = klab::testing::consume_until(
      cluster().client_config(), topics.dead_letters(), [](const auto&) { return false; },
      scaled(3s));
  std::map<std::string, std::set<std::string>> by_reason;
  for (const auto& r : dlt) {
    const auto* h = r.headers().last("dlt.reason");
    by_reason[h && h->value ? *h->value : "?"].insert(std::string(r.value().value_or("")));
  }
  std::cout << "sink rows " << rows() << " (store " << store << ", web " << webs
            << "); dead letters " << dlt.size() << " records:\n";
  for (const auto& [reason, values] : by_reason)
    std::cout << "  " << reason << ": " << values.size() << " distinct inputs\n";
  EXPECT_EQ(by_reason["not a JSON object"].size(), 13u);
  EXPECT_EQ(by_reason["unknown sku SKU-999"].size(), 13u);
  EXPECT_EQ(by_reason["qty must be a positive integer"].size(), 5u);
  EXPECT_EQ(by_reason["missing sku"].size(), 5u);

  stream.stop(scaled(30s));
  sink.stop(scaled(30s));
  ingest.stop(scaled(30s));
  auto gone = setup({"--teardown"});
  EXPECT_EQ(gone.exit_code, 0) << gone.output;
  connect.stop();
}

TEST(PipelineApp, TheStreamStepRefusesEachKindOfBadInputWithItsReason) {
  KLAB_ROADMAP("project.4");
  std::map<std::string, klab::apps::pipeline::Product> catalog{{"A", {"A", "apple", "food", 250}}};
  using klab::apps::pipeline::enrich;
  using klab::apps::pipeline::Refusal;
  auto ok = enrich(R"({"sale_id":"s1","sku":"A","qty":3})", "web", catalog);
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(ok));
  EXPECT_EQ(std::get<nlohmann::json>(ok)["amount_cents"], 750);
  EXPECT_EQ(std::get<nlohmann::json>(ok)["category"], "food");
  auto reason = [&](std::string_view raw) {
    auto r = enrich(raw, "store", catalog);
    return std::holds_alternative<Refusal>(r) ? std::get<Refusal>(r).reason : "accepted";
  };
  EXPECT_EQ(reason("{"), "not a JSON object");
  EXPECT_EQ(reason(R"([1,2])"), "not a JSON object");
  EXPECT_EQ(reason(R"({"sku":"A","qty":1})"), "missing sale_id");
  EXPECT_EQ(reason(R"({"sale_id":"s","qty":1})"), "missing sku");
  EXPECT_EQ(reason(R"({"sale_id":"s","sku":"A","qty":0})"), "qty must be a positive integer");
  EXPECT_EQ(reason(R"({"sale_id":"s","sku":"A","qty":"2"})"), "qty must be a positive integer");
  EXPECT_EQ(reason(R"({"sale_id":"s","sku":"B","qty":1})"), "unknown sku B");
  // The catalog follows the table's change events.
  EXPECT_TRUE(klab::apps::pipeline::apply_product_change(
      R"({"op":"c","before":null,"after":{"sku":"B","name":"bread","category":"food","price_cents":300}})",
      catalog));
  EXPECT_EQ(reason(R"({"sale_id":"s","sku":"B","qty":1})"), "accepted");
  EXPECT_TRUE(klab::apps::pipeline::apply_product_change(
      R"({"op":"d","before":{"sku":"B"},"after":null})", catalog));
  EXPECT_EQ(reason(R"({"sale_id":"s","sku":"B","qty":1})"), "unknown sku B");
}

}  // namespace
