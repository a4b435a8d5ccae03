// pipeline-stream: the C++ stream step. Keeps the product catalog (Debezium's change events of
// the products table) as a table in memory, and for every raw sale of the store and web
// channels emits the enriched sale, or the raw record to the dead-letter topic with its reason
// in a header. At-least-once: outputs are flushed before offsets are committed; the sink is
// idempotent by sale id.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "sales.hpp"

using namespace std::chrono_literals;
namespace pipeline = klab::apps::pipeline;

int pipeline_stream_main(int argc, char** argv) {
  CLI::App app{"Validates, joins with the product catalog and enriches raw sales."};
  pipeline::PipelineTopics topics;
  std::string group = "pipeline-stream";
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--group", group, "consumer group")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    for (const auto& t : {topics.store(), topics.web(), topics.products(), topics.enriched(),
                          topics.dead_letters()})
      klab::apps::ensure_topic(config, t, t == topics.products() ? 1 : 3);
    // 1. The catalog as it is now, then follow it from there.
    std::map<std::string, pipeline::Product> catalog;
    // An empty catalog would send every sale to the dead letters: wait for Debezium's snapshot.
    klab::client::ReadToEndResult boot;
    for (auto deadline = std::chrono::steady_clock::now() + 120s;;) {
      boot = klab::client::read_to_end(config, topics.products(), [&](const auto& r) {
        if (r.value()) pipeline::apply_product_change(*r.value(), catalog);
      });
      if (!catalog.empty() || std::chrono::steady_clock::now() > deadline ||
          klab::apps::stop_requested())
        break;
      std::cout << "pipeline-stream: waiting for the product catalog on " << topics.products()
                << std::endl;
      std::this_thread::sleep_for(1s);
    }
    auto follower_config = config;
    follower_config.set("group.id", group + "-catalog").set("enable.auto.commit", "false");
    klab::client::Consumer catalog_follower(follower_config);
    std::vector<klab::client::TopicPartition> from;
    for (const auto& [p, end] : boot.ends) from.push_back({topics.products(), p, end});
    catalog_follower.assign(from);

    // 2. Raw sales in a group, at-least-once.
    auto consumer_config = config;
    consumer_config.set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "10000");
    klab::client::Consumer sales(consumer_config);
    sales.subscribe({topics.store(), topics.web()});
    auto producer_config = config;
    producer_config.set("acks", "all").set("enable.idempotence", "true").set("linger.ms", "5");
    klab::client::Producer out(producer_config);
    std::cout << "pipeline-stream: " << catalog.size() << " products; enriching " << topics.store()
              << " and " << topics.web() << " into " << topics.enriched() << std::endl;
    long enriched = 0, refused = 0;
    while (!klab::apps::stop_requested()) {
      for (auto& r : catalog_follower.poll_batch(500, 0ms))
        if (!r.error() && r.value()) pipeline::apply_product_change(*r.value(), catalog);
      auto batch = sales.poll_batch(200, 200ms);
      bool any = false;
      for (const auto& r : batch) {
        if (r.error()) continue;
        any = true;
        const std::string channel = r.topic() == topics.web() ? "web" : "store";
        auto raw = r.value().value_or("");
        auto result = pipeline::enrich(raw, channel, catalog);
        klab::client::ProducerRecord o;
        if (auto* sale = std::get_if<nlohmann::json>(&result)) {
          o.topic = topics.enriched();
          o.key = (*sale)["sale_id"].get<std::string>();
          o.value = sale->dump();
          ++enriched;
        } else {
          o.topic = topics.dead_letters();
          if (r.key()) o.key = std::string(*r.key());
          o.value = std::string(raw);
          o.headers.add("dlt.reason", std::get<pipeline::Refusal>(result).reason);
          o.headers.add("dlt.original.topic", std::string(r.topic()));
          o.headers.add("dlt.original.offset", std::to_string(r.offset()));
          ++refused;
        }
        if (auto e = out.send(o)) throw klab::KafkaException(e, "send");
      }
      if (!any) continue;
      // Outputs acknowledged before the offsets move: a crash here repeats, never loses.
      if (auto e = out.flush(30s)) throw klab::KafkaException(e, "flush");
      sales.commit_sync();
      std::cout << R"({"enriched":)" << enriched << R"(,"dead_letters":)" << refused << "}"
                << std::endl;
    }
    sales.close();
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("pipeline-stream", e.what());
  }
}
