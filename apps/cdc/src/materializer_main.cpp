// cdc-materializer: reads Debezium's change events (one topic per table) and keeps a replica of
// the source tables plus a derived view (orders per customer) in another database. Each poll
// batch is applied in one database transaction before its offsets are committed; applying a
// change again after a crash gives the same rows (upserts and deletes by key), so redelivery is
// harmless.
#include <CLI/CLI.hpp>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "shop_schema.hpp"

using namespace std::chrono_literals;

namespace {

struct Counts {
  long snapshot = 0, inserts = 0, updates = 0, deletes = 0, tombstones = 0;
};

// The table a topic carries: "<prefix>.public.<table>".
std::string table_of(std::string_view topic) {
  return std::string(topic.substr(topic.rfind('.') + 1));
}

void upsert(pqxx::work& w, const std::string& table, const nlohmann::json& row) {
  std::string cols, updates;
  for (const auto& [k, v] : row.items()) {
    auto q = w.quote_name(k);
    cols += (cols.empty() ? "" : ", ") + q;
    if (k != "id") updates += (updates.empty() ? "" : ", ") + q + " = EXCLUDED." + q;
  }
  auto t = w.quote_name(table);
  w.exec_params("INSERT INTO " + t + " (" + cols + ") SELECT " + cols +
                    " FROM jsonb_populate_record(null::" + t + ", $1::jsonb) ON CONFLICT (id) DO " +
                    (updates.empty() ? "NOTHING" : "UPDATE SET " + updates),
                row.dump());
}

void refresh_totals(pqxx::work& w, int customer) {
  auto r = w.exec_params(
      "INSERT INTO customer_totals SELECT c.id, c.name, count(o.id), coalesce(sum(o.amount_cents), "
      "0) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE c.id = $1 GROUP BY "
      "c.id, c.name ON CONFLICT (customer_id) DO UPDATE SET name = EXCLUDED.name, order_count = "
      "EXCLUDED.order_count, total_cents = EXCLUDED.total_cents",
      customer);
  if (r.affected_rows() == 0)
    w.exec_params("DELETE FROM customer_totals WHERE customer_id = $1", customer);
}

}  // namespace

int cdc_materializer_main(int argc, char** argv) {
  CLI::App app{"Materializes Debezium change events into a replica database."};
  std::string prefix = "shop", group = "cdc-materializer", db_base, database = "shop_replica";
  int session_timeout_ms = 10000;
  app.add_option("--topic-prefix", prefix, "Debezium's topic.prefix")->capture_default_str();
  app.add_option("--group", group, "consumer group")->capture_default_str();
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "the replica database")->capture_default_str();
  app.add_option("--session-timeout-ms", session_timeout_ms,
                 "how long a crashed instance's partitions wait for another")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    const std::vector<std::string> topics{prefix + ".public.customers", prefix + ".public.orders"};
    for (const auto& t : topics) klab::apps::ensure_topic(config, t, 3);
    klab::apps::ensure_database(db_base, database);
    auto conninfo = klab::apps::database_conninfo(db_base, database);
    {
      pqxx::connection c(conninfo);
      pqxx::work w(c);
      w.exec("SELECT pg_advisory_xact_lock(4243)");
      w.exec(klab::apps::cdc::kReplicaSchema);
      w.commit();
    }
    std::mutex out_mutex;
    Counts total;
    auto listener = [&](const klab::framework::BatchListenerContext& ctx) {
      thread_local std::optional<pqxx::connection> db;
      if (!db) db.emplace(conninfo);
      Counts batch;
      std::set<int> customers;
      pqxx::work w(*db);
      for (const auto& r : ctx.records) {
        if (!r.value()) {  // the tombstone after a delete: for log compaction, nothing to apply
          ++batch.tombstones;
          continue;
        }
        auto e = nlohmann::json::parse(*r.value(), nullptr, false);
        if (e.is_discarded() || !e.contains("op")) continue;
        const std::string op = e["op"], table = table_of(r.topic());
        const auto& before = e["before"];
        const auto& after = e["after"];
        if (op == "d") {
          w.exec_params("DELETE FROM " + w.quote_name(table) + " WHERE id = $1",
                        before["id"].get<int>());
          ++batch.deletes;
        } else {
          upsert(w, table, after);
          (op == "r" ? batch.snapshot : op == "c" ? batch.inserts : batch.updates)++;
        }
        for (const auto* row : {&before, &after}) {
          if (!row->is_object()) continue;
          if (table == "orders") customers.insert((*row)["customer_id"].get<int>());
          if (table == "customers") customers.insert((*row)["id"].get<int>());
        }
      }
      for (int c : customers) refresh_totals(w, c);
      w.commit();
      std::lock_guard lock(out_mutex);
      total.snapshot += batch.snapshot;
      total.inserts += batch.inserts;
      total.updates += batch.updates;
      total.deletes += batch.deletes;
      total.tombstones += batch.tombstones;
      std::cout << R"({"batch":)" << ctx.records.size() << R"(,"snapshot":)" << batch.snapshot
                << R"(,"inserts":)" << batch.inserts << R"(,"updates":)" << batch.updates
                << R"(,"deletes":)" << batch.deletes << R"(,"tombstones":)" << batch.tombstones
                << "}" << std::endl;
    };
    klab::framework::ContainerProperties props;
    props.topics = topics;
    props.group_id = group;
    props.ack_mode = klab::framework::AckMode::batch;
    auto consumer_config = config;
    consumer_config.set("auto.offset.reset", "earliest");
    klab::apps::with_session_timeout(consumer_config, session_timeout_ms);
    klab::framework::ConcurrentListenerContainer container(
        consumer_config, props, klab::framework::BatchListener(listener));
    container.start();
    std::cout << "cdc-materializer: applying " << topics[0] << ", " << topics[1] << " to "
              << database << " (Ctrl-C stops)" << std::endl;
    while (!klab::apps::stop_requested()) std::this_thread::sleep_for(100ms);
    container.stop();
    std::cout << "cdc-materializer: stopped; snapshot " << total.snapshot << ", inserts "
              << total.inserts << ", updates " << total.updates << ", deletes " << total.deletes
              << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("cdc-materializer", e.what());
  }
}
