// order-client: places orders (OrderRequested) with an idempotent producer; every 7th is over
// the credit limit (payment declined), every 11th goes to an unreachable address (refunded).
#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/producer.hpp"
#include "saga.hpp"

using namespace std::chrono_literals;
namespace orders = klab::apps::orders;

int order_client_main(int argc, char** argv) {
  CLI::App app{"Places orders into the order saga."};
  orders::SagaTopics topics;
  long count = 0, first = 1;
  double rate = 10;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--count", count, "orders to place, 0 = until Ctrl-C")->capture_default_str();
  std::string run = std::to_string(std::time(nullptr) % 100000);
  app.add_option("--first", first, "number of the first order")->capture_default_str();
  app.add_option("--run", run,
                 "tag in every order id, o-<run>-<n> (default: from the clock, so "
                 "a second run never reuses an id)");
  app.add_option("--rate", rate, "orders per second")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.requests(), 3);
    config.set("acks", "all").set("enable.idempotence", "true");
    klab::client::Producer producer(config);
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    auto next = std::chrono::steady_clock::now();
    long placed = 0;
    for (long n = first; (count == 0 || n < first + count) && !klab::apps::stop_requested(); ++n) {
      nlohmann::json order{{"type", "OrderRequested"},
                           {"order_id", "o-" + run + "-" + std::to_string(n)},
                           {"customer", "c-" + std::to_string(n % 17)},
                           {"amount", n % 7 == 0 ? 1500 : 20 + (n * 37) % 900},
                           {"address", n % 11 == 0 ? orders::kUnreachableAddress : "Seoul"}};
      klab::client::ProducerRecord r;
      r.topic = topics.requests();
      r.key = order["order_id"].get<std::string>();
      r.value = order.dump();
      if (auto refused = producer.send(r)) throw klab::KafkaException(refused, "send");
      ++placed;
      next += gap;
      std::this_thread::sleep_until(next);
    }
    producer.flush(30s);
    std::cout << "order-client: placed " << placed << " orders" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("order-client", e.what());
  }
}
