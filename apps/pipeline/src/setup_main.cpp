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
#include "klab/apps/debezium_source.hpp"
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
  klab::apps::DebeziumSource source{.postgres = db_base,
                                    .database = database,
                                    .topic_prefix = topics.prefix + "db",
                                    .tables = "public.products",
                                    .slot = klab::apps::slot_name(name + "_products")};
  try {
    klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                        {.rest_port = static_cast<std::uint16_t>(connect_port)});
    if (teardown) {
      connect.delete_connector(name + "-products");
      connect.delete_connector(name + "-store-file");
      bool dropped = klab::apps::drop_replication_slot(source);
      std::cout << "pipeline-setup: connectors deleted, slot " << source.slot
                << (dropped ? " dropped" : " still there (in use)") << std::endl;
      return dropped ? 0 : 1;
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
    auto products = klab::apps::debezium_postgres_config(source);
    connect.put_connector(name + "-products", products);
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
