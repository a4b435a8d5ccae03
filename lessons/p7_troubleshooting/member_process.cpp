// A consumer-group member in a process of its own, for the lesson that freezes one (SIGSTOP):
// a thread of the test cannot be frozen on its own, and a real application is a process.
//   p7_member_process <bootstrap> <group> <topic> <session.timeout.ms>
// Polls until SIGTERM, then leaves the group.
#include <csignal>
#include <iostream>

#include "klab/client/consumer.hpp"

namespace {
volatile std::sig_atomic_t stop_requested = 0;
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: p7_member_process <bootstrap> <group> <topic> <session.timeout.ms>\n";
    return 2;
  }
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  klab::client::Config config;
  config.set("bootstrap.servers", argv[1])
      .group_id(argv[2])
      .auto_offset_reset(klab::client::OffsetReset::earliest)
      .session_timeout_ms(std::stoi(argv[4]))
      .heartbeat_interval_ms(1000);
  klab::client::Consumer consumer(config);
  consumer.subscribe({argv[3]});
  while (!stop_requested) consumer.poll(std::chrono::milliseconds(100));
  consumer.close();
}
