#include "klab/apps/debezium_source.hpp"

#include <cctype>
#include <chrono>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "klab/apps/app_support.hpp"

namespace klab::apps {

std::string slot_name(const std::string& name) {
  std::string slot;
  for (char c : name)
    slot += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
                : '_';
  return slot;
}

std::map<std::string, std::string> debezium_postgres_config(const DebeziumSource& s) {
  // libpq's key=value form ("host=.. port=.. user=.."), as the lab writes it: no quoting.
  std::map<std::string, std::string> pg;
  std::istringstream in(database_conninfo(s.postgres, s.database));
  for (std::string kv; in >> kv;)
    if (auto eq = kv.find('='); eq != std::string::npos) pg[kv.substr(0, eq)] = kv.substr(eq + 1);
  return {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
          {"plugin.name", "pgoutput"},
          {"database.hostname", pg["host"]},
          {"database.port", pg["port"]},
          {"database.user", pg["user"]},
          {"database.password", pg.count("password") ? pg["password"] : ""},
          {"database.dbname", s.database},
          {"topic.prefix", s.topic_prefix},
          {"table.include.list", s.tables},
          {"slot.name", s.slot},
          {"publication.name", s.publication()},
          {"publication.autocreate.mode", "filtered"},
          {"snapshot.mode", "initial"},
          {"tombstones.on.delete", "true"},
          {"tasks.max", "1"}};
}

bool drop_replication_slot(const DebeziumSource& s) {
  pqxx::connection c(database_conninfo(s.postgres, s.database));
  pqxx::nontransaction n(c);
  // The connector lets go of the slot a moment after it is deleted.
  for (int i = 0; i < 100; ++i) {
    auto r = n.exec_params("SELECT active FROM pg_replication_slots WHERE slot_name = $1", s.slot);
    if (r.empty()) break;
    if (!r[0][0].as<bool>()) {
      n.exec_params("SELECT pg_drop_replication_slot($1)", s.slot);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  n.exec("DROP PUBLICATION IF EXISTS " + n.quote_name(s.publication()));
  return n.exec_params("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1",
                       s.slot)[0][0]
             .as<int>() == 0;
}

}  // namespace klab::apps
