// order-status: every order's state as the order service announced it (read_committed), and a
// count per state.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>

#include "klab/apps/app_support.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "saga.hpp"

using namespace std::chrono_literals;

int order_status_main(int argc, char** argv) {
  CLI::App app{"Shows how the saga's orders ended."};
  klab::apps::orders::SagaTopics topics;
  int show = 10;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--show", show, "latest orders listed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    auto config = klab::apps::cluster_config();
    config.set("group.id", "order-status-reader")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("isolation.level", "read_committed")
        .set("enable.partition.eof", "true");
    klab::client::Admin admin(config);
    auto d = admin.describe_topics({topics.orders()}, 10s);
    if (d.empty() || d[0].error)
      return klab::apps::fail("order-status", "no topic " + topics.orders() +
                                                  ": start the saga with `klab app run orders`");
    klab::client::Consumer consumer(config);
    std::vector<klab::client::TopicPartition> all;
    for (const auto& p : d[0].partitions) all.push_back({topics.orders(), p.id, -2});
    consumer.assign(all);
    std::map<std::string, std::string> state;
    std::vector<std::string> order_of_change;
    std::size_t eofs = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (eofs < all.size() && std::chrono::steady_clock::now() < deadline) {
      auto r = consumer.poll(500ms);
      if (!r) continue;
      if (r->error()) {
        if (r->error().code() == RD_KAFKA_RESP_ERR__PARTITION_EOF) ++eofs;
        continue;
      }
      auto e = nlohmann::json::parse(r->value().value_or(""), nullptr, false);
      if (e.is_discarded()) continue;
      std::string s = e.value("type", "");
      if (s == "OrderCancelled") s += " (" + e.value("reason", "") + ")";
      state[e.value("order_id", "")] = s;
      order_of_change.push_back(e.value("order_id", ""));
    }
    std::map<std::string, int> counts;
    for (const auto& [id, s] : state) ++counts[s];
    for (const auto& [s, n] : counts) std::cout << n << "\t" << s << "\n";
    std::cout << state.size() << " orders\n";
    int listed = 0;
    for (auto it = order_of_change.rbegin(); it != order_of_change.rend() && listed < show;
         ++it, ++listed)
      std::cout << "  " << *it << "\t" << state[*it] << "\n";
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("order-status", e.what());
  }
}
