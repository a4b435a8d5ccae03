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
#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "shop_schema.hpp"

namespace {

std::map<std::string, std::string> base_settings(const std::string& base) {
  // "host=.. port=.. user=.." -> a map (libpq's key=value form, no quoting in the lab's).
  std::map<std::string, std::string> out;
  std::istringstream in(base);
  std::string kv;
  while (in >> kv)
    if (auto eq = kv.find('='); eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  return out;
}

}  // namespace

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
  // Slot names: lower case letters, digits and underscores.
  std::string slot;
  for (char c : connector)
    slot += std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : '_';
  try {
    klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                        {.rest_port = static_cast<std::uint16_t>(connect_port)});
    if (teardown) {
      connect.delete_connector(connector);
      pqxx::connection c(klab::apps::database_conninfo(db_base, database));
      pqxx::nontransaction n(c);
      // The connector lets go of the slot a moment after it is deleted.
      for (int i = 0; i < 100; ++i) {
        auto active =
            n.exec_params("SELECT active FROM pg_replication_slots WHERE slot_name = $1", slot);
        if (active.empty()) break;
        if (!active[0][0].as<bool>()) {
          n.exec_params("SELECT pg_drop_replication_slot($1)", slot);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      n.exec("DROP PUBLICATION IF EXISTS " + n.quote_name(slot + "_publication"));
      auto left = n.exec_params("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1",
                                slot)[0][0]
                      .as<int>();
      std::cout << "cdc-setup: connector " << connector << " deleted, slot " << slot
                << (left == 0 ? " dropped" : " still there (in use)") << std::endl;
      return left == 0 ? 0 : 1;
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
    auto pg = base_settings(klab::apps::database_conninfo(db_base, database));
    connect.put_connector(
        connector, {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                    {"plugin.name", "pgoutput"},
                    {"database.hostname", pg["host"]},
                    {"database.port", pg["port"]},
                    {"database.user", pg["user"]},
                    {"database.password", pg.count("password") ? pg["password"] : ""},
                    {"database.dbname", database},
                    {"topic.prefix", prefix},
                    {"table.include.list", "public.customers,public.orders"},
                    {"slot.name", slot},
                    {"publication.name", slot + "_publication"},
                    {"publication.autocreate.mode", "filtered"},
                    {"snapshot.mode", "initial"},
                    {"tombstones.on.delete", "true"},
                    {"tasks.max", "1"}});
    connect.await_running(connector, std::chrono::seconds(60));
    std::cout << "cdc-setup: " << database << " ready, connector " << connector
              << " running; topics " << prefix << ".public.customers and " << prefix
              << ".public.orders" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("cdc-setup", e.what());
  }
}
