// The consume-process-produce pipeline of lesson 5.3.2 as its own process, so the lesson can
// crash it for real in the middle of a transaction: input topic -> TransactionalListenerContainer
// (concurrency 1) -> output topic, each output a copy of its input.
//
//   transactional_pipeline INPUT OUTPUT GROUP TXN_PREFIX [--crash-after N] [--max-poll-records M]
//
// The cluster comes from klab::cluster's resolver (KLAB_BOOTSTRAP, else the lab's own).
// --crash-after N: after sending output N (counted from 1 in this process) and flushing it into
// the log, the process ends with _exit(3) before the transaction commits - no abort, no close.
// Without it the pipeline runs until SIGTERM / SIGINT, then stops gracefully (exit 0).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"
#include "klab/framework/transaction/transactional_listener_container.hpp"

int main(int argc, char** argv) {
  using namespace std::chrono_literals;
  if (argc < 5) {
    std::cerr << "usage: transactional_pipeline INPUT OUTPUT GROUP TXN_PREFIX [--crash-after N] "
                 "[--max-poll-records M]\n";
    return 2;
  }
  const std::string input = argv[1], output = argv[2], group = argv[3], prefix = argv[4];
  long crash_after = 0;
  std::size_t max_poll_records = 500;
  for (int i = 5; i + 1 < argc; i += 2) {
    std::string option = argv[i];
    if (option == "--crash-after") {
      crash_after = std::stol(argv[i + 1]);
    } else if (option == "--max-poll-records") {
      max_poll_records = std::stoul(argv[i + 1]);
    } else {
      std::cerr << "transactional_pipeline: unknown option " << option << '\n';
      return 2;
    }
  }

  // Signals are taken by sigwait below, not by whichever thread they happen to hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    auto base = klab::cluster::client_config(
        klab::cluster::resolve_target(klab::cluster::LabPaths::discover()));
    auto consumer_config = base;
    consumer_config.auto_offset_reset(klab::client::OffsetReset::earliest)
        .session_timeout_ms(6000)
        .heartbeat_interval_ms(1000);
    long sent = 0;
    klab::framework::TransactionalListenerContainer container(
        consumer_config, base,
        {.topics = {input},
         .group_id = group,
         .transactional_id_prefix = prefix,
         .max_poll_records = max_poll_records},
        [&](const klab::framework::TransactionalContext& context) {
          const auto& in = context.record;
          klab::client::ProducerRecord out{.topic = output};
          if (auto value = in.value()) out.value = std::string(*value);
          if (auto key = in.key()) out.key = std::string(*key);
          if (auto error = context.producer.send(std::move(out))) throw klab::KafkaException(error);
          if (++sent == crash_after) {
            // Make the open transaction's records real log entries, then die without a word.
            (void)context.producer.flush(30s);
            std::cout << "crashing after " << sent << " outputs, transaction open" << std::endl;
            _exit(3);
          }
        });
    container.start();
    std::cout << "pipeline running" << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    container.stop();
    std::cout << "stopped after " << sent << " outputs, " << container.committed_transactions()
              << " transactions committed" << std::endl;
    return container.fatal_errors().empty() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "transactional_pipeline: " << e.what() << '\n';
    return 1;
  }
}
