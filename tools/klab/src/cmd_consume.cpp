// consume: records to stdout until --max, an idle --timeout-ms, or Ctrl-C.
#include <fmt/core.h>

#include <atomic>
#include <csignal>
#include <random>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/consumer.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;

struct ConsumeOptions {
  std::string topic;
  std::string group;
  bool from_beginning = false;
  long max = 0;
  long timeout_ms = 0;
  bool print_key = false;
  bool print_headers = false;
  bool print_offset = false;
};

std::atomic<bool> interrupted{false};

void cmd_consume(const ConsumeOptions& o) {
  auto ctx = make_context();
  auto config = ctx.client_config();
  bool own_group = !o.group.empty();
  // Without --group, a throw-away group that never commits, like kafka-console-consumer.
  std::string group =
      own_group ? o.group : "klab-console-" + std::to_string(std::random_device{}() % 1000000);
  config.set("group.id", group);
  config.set("auto.offset.reset", o.from_beginning ? "earliest" : "latest");
  config.set("enable.auto.commit", own_group ? "true" : "false");
  klab::client::Consumer consumer(config);
  consumer.subscribe({o.topic});
  std::signal(SIGINT, [](int) { interrupted = true; });
  std::signal(SIGTERM, [](int) { interrupted = true; });

  long count = 0;
  auto last = std::chrono::steady_clock::now();
  while (!interrupted && (o.max == 0 || count < o.max)) {
    auto r = consumer.poll(200ms);
    if (!r) {
      if (o.timeout_ms > 0 &&
          std::chrono::steady_clock::now() - last > std::chrono::milliseconds(o.timeout_ms))
        break;
      continue;
    }
    if (r->error()) {
      consumer.close();
      throw CommandError(fmt::format("consuming {}: {}", o.topic, r->error().to_string()));
    }
    last = std::chrono::steady_clock::now();
    std::string prefix;
    if (o.print_offset)
      prefix += fmt::format("{}/{}@{}\t", r->topic(), r->partition(), r->offset());
    if (o.print_key) prefix += std::string(r->key().value_or("null")) + "\t";
    if (o.print_headers) {
      std::string hs;
      for (const auto& h : r->headers())
        hs += (hs.empty() ? "" : ",") + h.key + "=" + std::string(h.value.value_or("null"));
      prefix += hs + "\t";
    }
    fmt::print("{}{}\n", prefix, r->value().value_or("null"));
    std::fflush(stdout);
    ++count;
  }
  if (own_group) consumer.commit_sync();
  consumer.close();
  fmt::print(stderr, "Consumed {} record(s) from {}.\n", count, o.topic);
}

}  // namespace

void add_consume_command(CLI::App& app) {
  static ConsumeOptions o;
  auto* c = app.add_subcommand("consume", "Print records of a topic, one per line");
  c->add_option("topic", o.topic, "topic to read")->required();
  c->add_option("--group,-g", o.group,
                "consumer group: resumes from and commits its offsets (default: a throw-away "
                "group that commits nothing)");
  c->add_flag("--from-beginning", o.from_beginning,
              "start at the earliest offset when the group has no committed offset");
  c->add_option("--max,-n", o.max, "stop after this many records")->check(CLI::NonNegativeNumber);
  c->add_option("--timeout-ms", o.timeout_ms, "stop after this long without a record")
      ->check(CLI::NonNegativeNumber);
  c->add_flag("--print-key", o.print_key, "print the key before the value");
  c->add_flag("--print-headers", o.print_headers, "print headers as name=value,...");
  c->add_flag("--print-offset", o.print_offset, "print topic/partition@offset first");
  c->callback([] { cmd_consume(o); });
}

}  // namespace klab::cli
