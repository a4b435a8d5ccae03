// produce: one record per stdin line, with the producer settings that shape delivery.
#include <fmt/core.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

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
  bool json = false;
  ProducerTuning tuning;
};

// `value` compacted, or a CommandError naming the line and where the text stops being JSON.
std::string compact_json(const std::string& value, long line_number) {
  try {
    return nlohmann::json::parse(value).dump();
  } catch (const nlohmann::json::exception& e) {
    // what() is "[json.exception.parse_error.101] parse error at line 1, column 7: ...";
    // the id means nothing to a learner, and "line 1" is within this one stdin line.
    std::string why = e.what();
    if (auto at = why.find("] "); at != std::string::npos) why.erase(0, at + 2);
    if (auto at = why.find("line 1, "); at != std::string::npos) why.erase(at, 8);
    std::string sent_note =
        line_number > 1 ? fmt::format("; the {} line(s) before it were sent", line_number - 1) : "";
    throw CommandError(fmt::format("line {} is not valid JSON ({}): fix it or drop --json{}",
                                   line_number, why, sent_note),
                       2);
  }
}

void cmd_produce(const ProduceOptions& o) {
  auto tuning = producer_tuning_config(o.tuning);  // bad flags fail before connecting
  klab::client::Headers headers;
  for (const auto& h : o.headers) {
    auto eq = h.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CommandError(fmt::format("--header '{}' must look like name=value", h), 2);
    headers.add(h.substr(0, eq), h.substr(eq + 1));
  }
  auto ctx = make_context();
  std::atomic<long> delivered{0}, failed{0};
  std::string first_error;
  klab::Error first_refusal;  // authorization in a report, or authentication / TLS at connect
  std::mutex error_mutex;
  auto note_refusal = [&](const klab::Error& e) {
    if (!klab::lab::is_access_refusal(e)) return;
    std::lock_guard lock(error_mutex);
    if (!first_refusal) first_refusal = e;
  };
  auto config = ctx.client_config().merge(tuning);
  config.error_handler(note_refusal);
  // Declared after what its callbacks touch: its destructor still delivers reports.
  klab::client::Producer producer(config);
  const klab::lab::AccessRequest request{klab::client::AclOperation::write,
                                         klab::client::AclResourceType::topic, o.topic};
  auto refused = [&] {
    std::lock_guard lock(error_mutex);
    return first_refusal;
  };
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
    if (o.json) r.value = compact_json(*r.value, sent + 1);
    r.headers = headers;
    auto err = producer.send(std::move(r), [&](const klab::client::DeliveryReport& rep) {
      if (rep.error) {
        ++failed;
        note_refusal(rep.error);
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
  // A refused login never fails a record before message.timeout.ms: stop at the refusal.
  klab::Error flushed;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;;) {
    flushed = producer.flush(250ms);
    if (!flushed || refused() || std::chrono::steady_clock::now() > deadline) break;
  }
  throw_if_refused(ctx, refused(), request);
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
  auto* c = app.add_subcommand("produce", "Send each line of stdin as one record");
  c->add_option("topic", o.topic, "topic to write to")->required();
  c->add_option("--key,-k", o.key, "key for every record");
  c->add_option("--key-separator", o.key_separator,
                "split each line into key and value at this text, e.g. ':'");
  c->add_option("--header,-H", o.headers, "header name=value (repeatable)");
  c->add_option("--partition", o.partition, "write to this partition instead of the partitioner's");
  c->add_flag("--json", o.json,
              "each line (its value part with --key-separator) must be JSON; sent compacted");
  add_producer_tuning_options(*c, o.tuning);
  c->callback([] { cmd_produce(o); });
}

}  // namespace klab::cli
