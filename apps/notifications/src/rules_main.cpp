// notify-rules: the rule engine. At start it rebuilds its state from the compacted changelog
// (read_committed, to the end); then each poll batch is one Kafka transaction holding the state
// changes, the notifications and the input offsets. Killed and restarted mid-window, it resumes
// with exactly the state that matches the offsets it committed: one alert per window.
#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/framework/transaction/transactional_listener_container.hpp"
#include "rules.hpp"

using namespace std::chrono_literals;
namespace notify = klab::apps::notifications;

int notify_rules_main(int argc, char** argv) {
  CLI::App app{"Turns user activity into notifications, with state in a changelog topic."};
  notify::NotifyTopics topics;
  std::string group = "notify-rules";
  int session_timeout_ms = 10000;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--group", group, "consumer group and transactional.id prefix")
      ->capture_default_str();
  app.add_option("--session-timeout-ms", session_timeout_ms,
                 "how long a crashed instance's partitions wait for another")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.activity(), 3);
    klab::apps::ensure_topic(config, topics.notifications(), 3);
    {
      // Compacted: the latest value per key is all a restart needs.
      klab::client::Admin admin(config);
      try {
        admin.create_topic({.name = topics.changelog(),
                            .partitions = 1,
                            .configs = {{"cleanup.policy", "compact"}}},
                           30s);
      } catch (const klab::KafkaException& e) {
        if (e.error().code() != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) throw;
      }
      klab::apps::ensure_topic(config, topics.changelog(), 1);
    }
    notify::RuleEngine engine;
    auto restore_config = config;
    restore_config.set("isolation.level", "read_committed");
    auto rebuild = [&] {
      engine = {};
      auto restored =
          klab::client::read_to_end(restore_config, topics.changelog(), [&](const auto& r) {
            if (!r.key()) return;
            std::optional<nlohmann::json> value;
            if (r.value()) value = nlohmann::json::parse(*r.value(), nullptr, false);
            engine.restore(std::string(*r.key()), value);
          });
      std::cout << "notify-rules: restored " << engine.keys() << " keys from " << restored.records
                << " changelog records" << std::endl;
    };
    rebuild();

    std::atomic<long> alerts{0};
    // An aborted transaction took its state changes with it: the memory must forget them too.
    klab::framework::TransactionalListenerContainer* self = nullptr;
    std::size_t aborts_seen = 0;
    klab::framework::TransactionalContainerProperties props;
    props.topics = {topics.activity()};
    props.group_id = group;
    props.transactional_id_prefix = topics.prefix + group;
    auto consumer_config = config;
    consumer_config.set("auto.offset.reset", "earliest");
    klab::apps::with_session_timeout(consumer_config, session_timeout_ms);
    klab::framework::TransactionalListenerContainer container(
        consumer_config, config, props, [&](const klab::framework::TransactionalContext& ctx) {
          if (self && self->aborted_transactions() != aborts_seen) {
            aborts_seen = self->aborted_transactions();
            rebuild();
          }
          auto e = nlohmann::json::parse(ctx.record.value().value_or(""), nullptr, false);
          if (e.is_discarded()) return;
          auto effects = engine.apply(e);
          for (auto& [key, value] : effects.state) {
            klab::client::ProducerRecord r;
            r.topic = topics.changelog();
            r.key = key;
            if (value) r.value = value->dump();
            if (auto err = ctx.producer.send(r)) throw klab::KafkaException(err, "changelog");
          }
          for (auto& n : effects.notifications) {
            klab::client::ProducerRecord r;
            r.topic = topics.notifications();
            r.key = n["user"].get<std::string>();
            r.value = n.dump();
            if (auto err = ctx.producer.send(r)) throw klab::KafkaException(err, "notify");
            std::cout << "notify-rules: " << n.dump() << std::endl;
            ++alerts;
          }
        });
    self = &container;
    container.start();
    std::cout << "notify-rules: running on " << topics.activity() << std::endl;
    while (!klab::apps::stop_requested() && container.fatal_errors().empty())
      std::this_thread::sleep_for(100ms);
    container.stop();
    std::cout << "notify-rules: stopped after " << alerts << " notifications" << std::endl;
    return container.fatal_errors().empty() ? 0 : 1;
  } catch (const std::exception& e) {
    return klab::apps::fail("notify-rules", e.what());
  }
}
