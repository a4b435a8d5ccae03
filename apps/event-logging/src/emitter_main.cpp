// event-emitter: a stand-in application that logs events through the EventLogger, at a rate,
// with a share of WARN and ERROR. `klab app run event-logging` starts three of them.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "event_logger.hpp"
#include "klab/apps/app_support.hpp"

using namespace std::chrono_literals;

int event_emitter_main(int argc, char** argv) {
  CLI::App app{"Sends structured application events through the logging client."};
  klab::apps::logging::EventLoggerOptions options;
  long count = 0;
  double rate = 20;
  app.add_option("--service", options.service, "the service name on every event")->required();
  app.add_option("--topic", options.topic, "topic to send to")->capture_default_str();
  app.add_option("--count", count, "events to send, 0 = until Ctrl-C")->capture_default_str();
  app.add_option("--rate", rate, "events per second")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    klab::apps::logging::EventLogger logger(klab::apps::cluster_config(), options);
    auto gap = std::chrono::duration<double>(1.0 / rate);
    auto next = std::chrono::steady_clock::now();
    static const char* kActions[] = {"login", "view", "checkout", "search", "logout"};
    for (long i = 0; (count == 0 || i < count) && !klab::apps::stop_requested(); ++i) {
      std::string level = i % 50 == 49 ? "ERROR" : i % 10 == 9 ? "WARN" : "INFO";
      logger.log(level, std::string(kActions[i % 5]) + " handled",
                 {{"user", "u" + std::to_string(i % 37)}, {"latency_ms", 5 + (i * 7) % 300}});
      next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(gap);
      std::this_thread::sleep_until(next);
    }
    bool all = logger.flush(30s);
    std::cout << "event-emitter " << options.service << ": sent " << logger.last_sequence()
              << ", acknowledged " << logger.acknowledged() << ", failed " << logger.failed()
              << std::endl;
    return all ? 0 : 1;
  } catch (const std::exception& e) {
    return klab::apps::fail("event-emitter", e.what());
  }
}
