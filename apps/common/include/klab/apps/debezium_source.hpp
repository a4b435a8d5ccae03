#pragma once
// A PostgreSQL table streamed into Kafka by the Debezium connector, as two practice systems use
// it (CDC, and the pipeline's product catalog): the connector's settings, and the clean-up a
// logical replication slot needs when the connector goes (a slot left behind keeps PostgreSQL
// from recycling WAL).
#include <map>
#include <string>

namespace klab::apps {

struct DebeziumSource {
  std::string postgres;      ///< libpq settings without dbname ("" = $KLAB_POSTGRES or the lab's)
  std::string database;      ///< the source database
  std::string topic_prefix;  ///< topics <topic_prefix>.public.<table>
  std::string tables;        ///< table.include.list, e.g. "public.customers,public.orders"
  std::string slot;          ///< the replication slot (lower case, digits, '_')
  /// slot + "_publication"
  std::string publication() const { return slot + "_publication"; }
};

/// A name made fit for a slot: lower case letters, digits and '_'. Errors: none.
std::string slot_name(const std::string& name);

/// The Debezium PostgreSQL connector's settings (pgoutput, a filtered publication, an initial
/// snapshot, tombstones after deletes). Errors: none.
std::map<std::string, std::string> debezium_postgres_config(const DebeziumSource& source);

/// Drops the slot once the connector has let go of it (up to 10 s), and the publication.
/// Returns whether the slot is gone. Errors: pqxx exceptions (e.g. no server).
bool drop_replication_slot(const DebeziumSource& source);

}  // namespace klab::apps
