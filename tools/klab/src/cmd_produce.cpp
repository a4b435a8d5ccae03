// produce: one record per stdin line.
#include <fmt/core.h>

#include <atomic>
#include <iostream>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/producer.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;

struct ProduceOptions {
  std::string topic;
  std::string key;
  std::string key_separator;
  std::vector<std::string> headers;
  int partition = -1;
};

void cmd_produce(const ProduceOptions& o) {
  auto ctx = make_context();
  klab::client::Headers headers;
  for (const auto& h : o.headers) {
    auto eq = h.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CommandError(fmt::format("--header '{}' must look like name=value", h), 2);
    headers.add(h.substr(0, eq), h.substr(eq + 1));
  }
  klab::client::Producer producer(ctx.client_config().set("acks", "all"));
  std::atomic<long> delivered{0}, failed{0};
  std::string first_error;
  std::mutex error_mutex;
  long sent = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    klab::client::ProducerRecord r;
    r.topic = o.topic;
    if (o.partition >= 0) r.partition = o.partition;
    if (!o.key.empty()) r.key = o.key;
    r.value = line;
    if (!o.key_separator.empty()) {
      auto at = line.find(o.key_separator);
      if (at == std::string::npos)
        throw CommandError(
            fmt::format("line {} has no key separator '{}': '{}'", sent + 1, o.key_separator, line),
            2);
      r.key = line.substr(0, at);
      r.value = line.substr(at + o.key_separator.size());
    }
    r.headers = headers;
    auto err = producer.send(std::move(r), [&](const klab::client::DeliveryReport& rep) {
      if (rep.error) {
        ++failed;
        std::lock_guard lock(error_mutex);
        if (first_error.empty()) first_error = rep.error.to_string();
      } else {
        ++delivered;
      }
    });
    if (err)
      throw CommandError(fmt::format("record {} was not sent: {}", sent + 1, err.to_string()));
    ++sent;
  }
  auto flushed = producer.flush(60s);
  long lost = sent - delivered - failed;
  if (failed || lost || flushed)
    throw CommandError(fmt::format("{} of {} record(s) not delivered to {}: {}", sent - delivered,
                                   sent, o.topic,
                                   first_error.empty() ? "flush timed out" : first_error));
  fmt::print(stderr, "Delivered {} record(s) to {}.\n", delivered.load(), o.topic);
}

}  // namespace

void add_produce_command(CLI::App& app) {
  static ProduceOptions o;
  auto* c = app.add_subcommand("produce", "Send each line of stdin as one record (acks=all)");
  c->add_option("topic", o.topic, "topic to write to")->required();
  c->add_option("--key,-k", o.key, "key for every record");
  c->add_option("--key-separator", o.key_separator,
                "split each line into key and value at this text, e.g. ':'");
  c->add_option("--header,-H", o.headers, "header name=value (repeatable)");
  c->add_option("--partition", o.partition, "write to this partition instead of the partitioner's");
  c->callback([] { cmd_produce(o); });
}

}  // namespace klab::cli
