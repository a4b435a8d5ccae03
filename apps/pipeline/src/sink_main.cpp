// pipeline-sink: enriched sales into PostgreSQL, one table row per sale id (an upsert), so a
// sale delivered twice by any step before is stored once.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "sales.hpp"

using namespace std::chrono_literals;

int pipeline_sink_main(int argc, char** argv) {
  CLI::App app{"Stores enriched sales in PostgreSQL."};
  klab::apps::pipeline::PipelineTopics topics;
  std::string group = "pipeline-sink", db_base, database = "pipeline_sink";
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--group", group, "consumer group")->capture_default_str();
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "the sink database")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.enriched(), 3);
    klab::apps::ensure_database(db_base, database);
    auto conninfo = klab::apps::database_conninfo(db_base, database);
    {
      pqxx::connection c(conninfo);
      pqxx::work w(c);
      w.exec("SELECT pg_advisory_xact_lock(4244)");
      w.exec(
          "CREATE TABLE IF NOT EXISTS sales (sale_id text PRIMARY KEY, sku text NOT NULL, "
          "product text NOT NULL, category text NOT NULL, qty integer NOT NULL, "
          "amount_cents bigint NOT NULL, channel text NOT NULL)");
      w.commit();
    }
    auto listener = [&](const klab::framework::BatchListenerContext& ctx) {
      thread_local std::optional<pqxx::connection> db;
      if (!db) db.emplace(conninfo);
      pqxx::work w(*db);
      for (const auto& r : ctx.records) {
        auto s = nlohmann::json::parse(r.value().value_or("{}"));
        w.exec_params(
            "INSERT INTO sales VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sale_id) DO "
            "UPDATE SET sku = EXCLUDED.sku, product = EXCLUDED.product, category = "
            "EXCLUDED.category, qty = EXCLUDED.qty, amount_cents = EXCLUDED.amount_cents, "
            "channel = EXCLUDED.channel",
            s["sale_id"].get<std::string>(), s["sku"].get<std::string>(),
            s["product"].get<std::string>(), s["category"].get<std::string>(), s["qty"].get<int>(),
            s["amount_cents"].get<long>(), s["channel"].get<std::string>());
      }
      w.commit();
    };
    klab::framework::ContainerProperties props;
    props.topics = {topics.enriched()};
    props.group_id = group;
    props.ack_mode = klab::framework::AckMode::batch;
    auto consumer_config = config;
    consumer_config.set("auto.offset.reset", "earliest").set("session.timeout.ms", "10000");
    klab::framework::ConcurrentListenerContainer container(
        consumer_config, props, klab::framework::BatchListener(listener));
    container.start();
    std::cout << "pipeline-sink: storing " << topics.enriched() << " into " << database << ".sales"
              << std::endl;
    while (!klab::apps::stop_requested()) std::this_thread::sleep_for(100ms);
    container.stop();
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("pipeline-sink", e.what());
  }
}
