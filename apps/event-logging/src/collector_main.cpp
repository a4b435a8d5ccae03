// event-collector: a consumer group that stores application events in PostgreSQL. Offsets are
// committed only after the batch's database transaction: a crash in between redelivers the
// batch, and the event id makes the second store a no-op (at-least-once + idempotent sink).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

#include "event_store.hpp"
#include "klab/apps/app_support.hpp"
#include "klab/framework/listener/listener_container.hpp"

using namespace std::chrono_literals;
namespace logging = klab::apps::logging;

int event_collector_main(int argc, char** argv) {
  CLI::App app{"Stores application events from Kafka in PostgreSQL, each exactly once."};
  std::string topic = "app.events", group = "event-collector", db_base, database = "event_logging";
  int concurrency = 2, partitions = 6, pause_after_store_ms = 0, session_timeout_ms = 10000;
  app.add_option("--topic", topic, "topic to collect")->capture_default_str();
  app.add_option("--group", group, "consumer group of the collectors")->capture_default_str();
  app.add_option("--partitions", partitions, "partitions when the topic is created")
      ->capture_default_str();
  app.add_option("--concurrency", concurrency, "consumer threads")->capture_default_str();
  app.add_option("--postgres", db_base,
                 "libpq settings of the server (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "database to store into")->capture_default_str();
  app.add_option("--pause-after-store-ms", pause_after_store_ms,
                 "wait after each stored batch before its offsets are committed (the window a "
                 "crash test aims at)");
  app.add_option("--session-timeout-ms", session_timeout_ms,
                 "how long a crashed collector's partitions wait before another takes them")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topic, partitions);
    klab::apps::ensure_database(db_base, database);
    auto conninfo = klab::apps::database_conninfo(db_base, database);
    { logging::EventStore schema(conninfo); }  // the table exists before any thread stores

    std::mutex out_mutex;
    auto listener = [&](const klab::framework::BatchListenerContext& ctx) {
      // One connection per consumer thread: pqxx connections are not shared between threads.
      thread_local std::optional<logging::EventStore> store;
      if (!store) store.emplace(conninfo);
      std::vector<logging::StoredEvent> batch;
      std::size_t rejected = 0;
      for (const auto& r : ctx.records) {
        std::string why;
        auto e = logging::parse_event(r.value().value_or(""), &why);
        if (!e) {
          ++rejected;
          std::lock_guard lock(out_mutex);
          std::cerr << "event-collector: skipped " << r.partition() << "@" << r.offset() << ": "
                    << why << "\n";
          continue;
        }
        batch.push_back({std::move(*e), r.partition(), r.offset()});
      }
      auto result = store->store(batch);
      {
        std::lock_guard lock(out_mutex);
        // One line per batch: what a test or an operator reads to see redeliveries.
        std::cout << R"({"batch":)" << ctx.records.size() << R"(,"inserted":)" << result.inserted
                  << R"(,"duplicates":)" << result.duplicates << R"(,"rejected":)" << rejected
                  << R"(,"last":")" << ctx.records.back().partition() << "@"
                  << ctx.records.back().offset() << R"("})" << std::endl;
        if (pause_after_store_ms > 0) std::cout << "stored, offsets not yet committed" << std::endl;
      }
      if (pause_after_store_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_after_store_ms));
    };
    klab::framework::ContainerProperties props;
    props.topics = {topic};
    props.group_id = group;
    props.concurrency = concurrency;
    props.ack_mode = klab::framework::AckMode::batch;
    props.max_poll_records = 200;
    auto consumer_config = config;
    consumer_config.set("auto.offset.reset", "earliest");
    klab::apps::with_session_timeout(consumer_config, session_timeout_ms);
    klab::framework::ConcurrentListenerContainer container(
        consumer_config, props, klab::framework::BatchListener(listener));
    container.start();
    std::cout << "event-collector: collecting " << topic << " into " << database
              << " (Ctrl-C stops)" << std::endl;
    while (!klab::apps::stop_requested()) std::this_thread::sleep_for(100ms);
    container.stop();
    std::cout << "event-collector: stopped" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("event-collector", e.what());
  }
}
