// cdc-setup: the source side of CDC. Creates the shop database with its tables and some rows,
// then registers the Debezium PostgreSQL connector on a Kafka Connect worker (REST API).
// --teardown deletes the connector and drops its replication slot and publication: a slot
// left behind keeps PostgreSQL from recycling WAL forever.
#include <CLI/CLI.hpp>
#include <iostream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/apps/debezium_source.hpp"
#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "shop_schema.hpp"

int cdc_setup_main(int argc, char** argv) {
  CLI::App app{"Prepares the shop database and registers the Debezium connector for it."};
  std::string db_base, database = "shop", prefix = "shop", connector = "shop-cdc";
  int connect_port = 8083, customers = 20, orders = 100;
  bool teardown = false;
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "the source database")->capture_default_str();
  app.add_option("--topic-prefix", prefix,
                 "Debezium's topic.prefix: topics <prefix>.public.<table>")
      ->capture_default_str();
  app.add_option("--connector", connector, "connector name (also the slot's)")
      ->capture_default_str();
  app.add_option("--connect-port", connect_port, "Kafka Connect's REST port")
      ->capture_default_str();
  app.add_option("--customers", customers, "customers to create on first run")
      ->capture_default_str();
  app.add_option("--orders", orders, "orders to create on first run")->capture_default_str();
  app.add_flag("--teardown", teardown, "delete the connector, its slot and its publication");
  CLI11_PARSE(app, argc, argv);
  klab::apps::DebeziumSource source{.postgres = db_base,
                                    .database = database,
                                    .topic_prefix = prefix,
                                    .tables = "public.customers,public.orders",
                                    .slot = klab::apps::slot_name(connector)};
  try {
    klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                        {.rest_port = static_cast<std::uint16_t>(connect_port)});
    if (teardown) {
      connect.delete_connector(connector);
      bool dropped = klab::apps::drop_replication_slot(source);
      std::cout << "cdc-setup: connector " << connector << " deleted, slot " << source.slot
                << (dropped ? " dropped" : " still there (in use)") << std::endl;
      return dropped ? 0 : 1;
    }
    klab::apps::ensure_database(db_base, database);
    {
      pqxx::connection c(klab::apps::database_conninfo(db_base, database));
      pqxx::work w(c);
      w.exec(klab::apps::cdc::kSourceSchema);
      if (w.exec("SELECT count(*) FROM customers")[0][0].as<int>() == 0) {
        for (int i = 1; i <= customers; ++i)
          w.exec_params("INSERT INTO customers VALUES ($1, $2, $3, $4)", i,
                        "customer " + std::to_string(i), "c" + std::to_string(i) + "@shop.test",
                        i % 5 == 0 ? "gold" : "basic");
        for (int i = 1; i <= orders; ++i)
          w.exec_params("INSERT INTO orders VALUES ($1, $2, $3, 'placed')", i, 1 + i % customers,
                        100 * (1 + i % 50));
      }
      w.commit();
    }
    connect.put_connector(connector, klab::apps::debezium_postgres_config(source));
    connect.await_running(connector, std::chrono::seconds(60));
    std::cout << "cdc-setup: " << database << " ready, connector " << connector
              << " running; topics " << prefix << ".public.customers and " << prefix
              << ".public.orders" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("cdc-setup", e.what());
  }
}
