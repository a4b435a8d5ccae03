#include "saga_service.hpp"

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/framework/transaction/transactional_listener_container.hpp"

namespace klab::apps::orders {
using namespace std::chrono_literals;

int run_service(int argc, char** argv, const ServiceSpec& spec) {
  CLI::App app{spec.name + " of the order saga: reads events, emits its own, exactly once."};
  SagaTopics topics;
  int partitions = 3, work_ms = 0, session_timeout_ms = 10000;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name (default none)");
  app.add_option("--partitions", partitions, "partitions of topics this service creates")
      ->capture_default_str();
  app.add_option("--work-ms", work_ms, "time each event takes (to watch a crash mid-run)")
      ->capture_default_str();
  app.add_option("--session-timeout-ms", session_timeout_ms,
                 "how long a crashed instance's partitions wait for another")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    auto inputs = spec.inputs(topics);
    auto output = spec.output(topics);
    for (const auto& t : inputs) klab::apps::ensure_topic(config, t, partitions);
    klab::apps::ensure_topic(config, output, partitions);

    std::atomic<long> processed{0}, emitted{0};
    klab::framework::TransactionalContainerProperties props;
    props.topics = inputs;
    props.group_id = spec.name;
    props.transactional_id_prefix = topics.prefix + spec.name;
    props.max_poll_records = 100;
    auto consumer_config = config;
    consumer_config.set("auto.offset.reset", "earliest");
    klab::apps::with_session_timeout(consumer_config, session_timeout_ms);
    klab::framework::TransactionalListenerContainer container(
        consumer_config, config, props, [&](const klab::framework::TransactionalContext& ctx) {
          auto in = nlohmann::json::parse(ctx.record.value().value_or(""), nullptr, false);
          if (in.is_discarded() || !in.contains("order_id")) {
            std::cerr << spec.name << ": skipped a record that is not an order event at "
                      << ctx.record.topic() << "/" << ctx.record.partition() << "@"
                      << ctx.record.offset() << "\n";
            return;
          }
          if (work_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(work_ms));
          if (auto out = spec.handle(in)) {
            client::ProducerRecord r;
            r.topic = output;
            r.key = in["order_id"].get<std::string>();
            r.value = out->dump();
            if (auto refused = ctx.producer.send(r)) throw KafkaException(refused, "send");
            ++emitted;
          }
          if (++processed % 100 == 0)
            std::cout << spec.name << ": processed " << processed << ", emitted " << emitted
                      << std::endl;
        });
    container.start();
    std::cout << spec.name << ": running (reads " << inputs.front()
              << (inputs.size() > 1 ? ", ..." : "") << "; writes " << output << ")" << std::endl;
    while (!klab::apps::stop_requested() && container.fatal_errors().empty())
      std::this_thread::sleep_for(100ms);
    container.stop();
    for (const auto& e : container.fatal_errors())
      std::cerr << spec.name << ": fatal: " << e.to_string() << "\n";
    std::cout << spec.name << ": stopped after " << processed << " events, "
              << container.committed_transactions() << " transactions committed, "
              << container.aborted_transactions() << " aborted" << std::endl;
    return container.fatal_errors().empty() ? 0 : 1;
  } catch (const std::exception& e) {
    return klab::apps::fail(spec.name, e.what());
  }
}

}  // namespace klab::apps::orders
