#include "klab/testing/records.hpp"

#include <gtest/gtest.h>

#include "klab/cluster/await.hpp"

namespace klab::testing {
using namespace std::chrono_literals;

std::vector<klab::client::DeliveryReport> produce_values(const klab::client::Config& config,
                                                         const std::string& topic,
                                                         const std::vector<std::string>& values,
                                                         std::optional<int> partition,
                                                         std::optional<std::string> key) {
  auto c = config;
  c.set("acks", "all");
  klab::client::Producer producer(c);
  std::vector<klab::client::DeliveryReport> reports;
  for (const auto& v : values) {
    klab::client::ProducerRecord r;
    r.topic = topic;
    r.partition = partition;
    r.key = key;
    r.value = v;
    auto report = producer.send_sync(r, klab::cluster::scaled(30s));
    if (report.error)
      ADD_FAILURE() << "record '" << v << "' not delivered: " << report.error.to_string();
    reports.push_back(std::move(report));
  }
  return reports;
}

std::vector<klab::client::Record> consume_n(klab::client::Consumer& consumer, std::size_t count,
                                            std::chrono::milliseconds timeout) {
  std::vector<klab::client::Record> out;
  auto deadline = std::chrono::steady_clock::now() + klab::cluster::scaled(timeout);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto r = consumer.poll(200ms);
    if (!r) continue;
    if (r->error()) {
      ADD_FAILURE() << "consumer error: " << r->error().to_string();
      continue;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

klab::client::Config consumer_config(klab::client::Config base, const std::string& group) {
  base.set("group.id", group);
  base.set("auto.offset.reset", "earliest");
  base.set("enable.auto.commit", "false");
  return base;
}

}  // namespace klab::testing
