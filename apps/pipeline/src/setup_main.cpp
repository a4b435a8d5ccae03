// pipeline-setup: the pipeline's sources in Kafka Connect. Creates the product catalog table
// and registers two connectors: Debezium for the table, FileStreamSource for the stores' sales
// file. --teardown deletes both and drops the replication slot.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "sales.hpp"

int pipeline_setup_main(int argc, char** argv) {
  CLI::App app{"Creates the product catalog and registers the pipeline's source connectors."};
  klab::apps::pipeline::PipelineTopics topics;
  std::string db_base, database = "pipeline_source", file, name = "pipeline";
  int connect_port = 8083;
  bool teardown = false;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "the catalog's database")->capture_default_str();
  app.add_option("--file", file, "the stores' sales file (JSON lines), read by FileStreamSource")
      ->required();
  app.add_option("--name", name, "connector names start with it")->capture_default_str();
  app.add_option("--connect-port", connect_port, "Kafka Connect's REST port")
      ->capture_default_str();
  app.add_flag("--teardown", teardown, "delete the connectors and the slot");
  CLI11_PARSE(app, argc, argv);
  std::string slot;
  for (char c : name + "_products")
    slot += std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_';
  try {
    klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                        {.rest_port = static_cast<std::uint16_t>(connect_port)});
    if (teardown) {
      connect.delete_connector(name + "-products");
      connect.delete_connector(name + "-store-file");
      pqxx::connection c(klab::apps::database_conninfo(db_base, database));
      pqxx::nontransaction n(c);
      for (int i = 0; i < 100; ++i) {
        auto r =
            n.exec_params("SELECT active FROM pg_replication_slots WHERE slot_name = $1", slot);
        if (r.empty()) break;
        if (!r[0][0].as<bool>()) {
          n.exec_params("SELECT pg_drop_replication_slot($1)", slot);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      n.exec("DROP PUBLICATION IF EXISTS " + n.quote_name(slot + "_publication"));
      std::cout << "pipeline-setup: connectors deleted, slot " << slot << " dropped" << std::endl;
      return 0;
    }
    klab::apps::ensure_database(db_base, database);
    {
      pqxx::connection c(klab::apps::database_conninfo(db_base, database));
      pqxx::work w(c);
      w.exec(
          "CREATE TABLE IF NOT EXISTS products (sku text PRIMARY KEY, name text NOT NULL, "
          "category text NOT NULL, price_cents bigint NOT NULL)");
      if (w.exec("SELECT count(*) FROM products")[0][0].as<int>() == 0)
        for (int i = 1; i <= 20; ++i)
          w.exec_params("INSERT INTO products VALUES ($1, $2, $3, $4)", "SKU-" + std::to_string(i),
                        "product " + std::to_string(i),
                        i % 3 == 0   ? "food"
                        : i % 3 == 1 ? "books"
                                     : "toys",
                        100 * i + 99);
      w.commit();
    }
    auto path = std::filesystem::absolute(file);
    if (!std::filesystem::exists(path)) std::ofstream(path).flush();  // the connector tails it
    std::map<std::string, std::string> pg;
    std::istringstream in(klab::apps::database_conninfo(db_base, database));
    for (std::string kv; in >> kv;)
      if (auto eq = kv.find('='); eq != std::string::npos) pg[kv.substr(0, eq)] = kv.substr(eq + 1);
    connect.put_connector(
        name + "-products",
        {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
         {"plugin.name", "pgoutput"},
         {"database.hostname", pg["host"]},
         {"database.port", pg["port"]},
         {"database.user", pg["user"]},
         {"database.password", pg.count("password") ? pg["password"] : ""},
         {"database.dbname", database},
         {"topic.prefix", topics.prefix + "db"},
         {"table.include.list", "public.products"},
         {"slot.name", slot},
         {"publication.name", slot + "_publication"},
         {"publication.autocreate.mode", "filtered"},
         {"tasks.max", "1"}});
    connect.put_connector(
        name + "-store-file",
        {{"connector.class", "org.apache.kafka.connect.file.FileStreamSourceConnector"},
         {"file", path.string()},
         {"topic", topics.store()},
         // Each line as it is: the stream step parses it (and refuses what is not JSON).
         {"value.converter", "org.apache.kafka.connect.storage.StringConverter"},
         {"tasks.max", "1"}});
    connect.await_running(name + "-products", std::chrono::seconds(60));
    connect.await_running(name + "-store-file", std::chrono::seconds(60));
    std::cout << "pipeline-setup: connectors " << name << "-products and " << name
              << "-store-file running (file " << path.string() << ")" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("pipeline-setup", e.what());
  }
}
