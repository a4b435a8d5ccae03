// The console under a realistic load: response times of its pages and API with many topics and
// groups, and how many requests it makes to the cluster while nobody uses it.
//
//   console_perf [--topics 500] [--groups 50] [--requests 100] [--idle-seconds 60] [--keep]
//
// Creates the topics and groups (reused when they exist), starts the console in-process on a
// free port, times each endpoint, then counts the console's cluster calls over an idle window,
// and the brokers' request counters over the same window with and without the console.
// The cluster comes from klab::cluster's resolver: KLAB_BOOTSTRAP, else the lab's `klab up`.
#include <fmt/core.h>
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"
#include "klab/console/console_server.hpp"
#include "klab/lab/percentile.hpp"

namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  int topics = 500;
  int groups = 50;
  int requests = 100;
  int idle_seconds = 60;
  bool keep = false;
};

std::string topic_name(int i) { return fmt::format("console-perf-{:03}", i); }
std::string group_name(int i) { return fmt::format("console-perf-group-{:02}", i); }

void create_load(klab::client::Admin& admin, const klab::client::Config& config, const Options& o) {
  auto existing = admin.list_topics(false, 30s);
  std::vector<klab::client::NewTopic> missing;
  for (int i = 0; i < o.topics; ++i)
    if (std::find(existing.begin(), existing.end(), topic_name(i)) == existing.end())
      missing.push_back({.name = topic_name(i), .partitions = 2, .replication_factor = 1});
  // Batches of 50 keep each CreateTopics request well inside the admin timeout.
  for (std::size_t i = 0; i < missing.size(); i += 50) {
    std::vector<klab::client::NewTopic> batch(missing.begin() + i,
                                              missing.begin() + std::min(missing.size(), i + 50));
    for (const auto& r : admin.create_topics(batch, 60s))
      if (r.error && r.error.code() != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        throw klab::KafkaException(r.error, "create " + r.name);
    std::cerr << "  topics: " << std::min(missing.size(), i + 50) << "/" << missing.size()
              << " created\n";
  }
  // Ten records in each of the groups' topics, so every group has some lag to show.
  klab::client::Producer producer(klab::client::Config(config).linger_ms(5));
  for (int g = 0; g < o.groups; ++g)
    for (int r = 0; r < 10; ++r)
      (void)producer.send({.topic = topic_name(g), .partition = r % 2, .value = "perf"});
  if (producer.flush(60s)) throw std::runtime_error("could not deliver the groups' records");
  for (int g = 0; g < o.groups; ++g)
    admin.alter_group_offsets(group_name(g), {{topic_name(g), 0, 2}, {topic_name(g), 1, 1}}, 30s);
  std::cerr << "  groups: " << o.groups << " with committed offsets\n";
}

json get_json(httplib::Client& http, const std::string& path) {
  auto res = http.Get(path);
  if (!res || res->status != 200)
    throw std::runtime_error("GET " + path + " failed" +
                             (res ? ": HTTP " + std::to_string(res->status) : ""));
  return json::parse(res->body);
}

// The brokers' total request count (all APIs) from the JMX exporters; -1 without metrics.
double broker_requests(const std::vector<std::string>& urls) {
  if (urls.empty()) return -1;
  double total = 0;
  for (const auto& url : urls)
    total += klab::cluster::sum_metric(klab::cluster::scrape_metrics(url, 5s),
                                       "kafka_network_requests_total");
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Creates N topics (2 partitions each) and G groups with committed offsets, starts the "
      "console, times R requests per endpoint and prints p50/p95/max, then counts the console's "
      "cluster calls and the brokers' requests over S idle seconds with and without it.",
      "console_perf"};
  app.add_option("--topics", o.topics, "topics to create")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--groups", o.groups, "groups with committed offsets")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--requests", o.requests, "requests per endpoint")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--idle-seconds", o.idle_seconds, "length of each idle window")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--keep", o.keep, "leave the topics and groups for the next run");
  CLI11_PARSE(app, argc, argv);
  if (o.groups > o.topics) return std::cerr << "console_perf: --groups must be <= --topics\n", 2;
  try {
    auto paths = klab::cluster::LabPaths::discover();
    auto target = klab::cluster::resolve_target(paths);
    auto config = klab::cluster::client_config(target).set(klab::client::keys::log_level, "3");
    klab::client::Admin admin(config);
    create_load(admin, config, o);

    klab::console::ConsoleOptions co;
    co.port = 0;
    co.target = target;
    co.metrics_urls = klab::cluster::metrics_urls(paths);
    co.web_root = paths.home / "console" / "web" / "dist";
    co.roadmap_file = paths.home / "roadmap.json";
    co.results_dir = paths.home / ".klab" / "results";
    auto console = std::make_unique<klab::console::ConsoleServer>(co);
    console->start();
    httplib::Client http("127.0.0.1", console->port());
    http.set_read_timeout(30s);
    // Wait for the first refresh to see every topic.
    auto deadline = Clock::now() + 60s;
    while (get_json(http, "/api/overview")["totals"].value("topics", 0) < o.topics) {
      if (Clock::now() > deadline) throw std::runtime_error("the console never saw the topics");
      std::this_thread::sleep_for(200ms);
    }

    std::vector<std::string> endpoints{"/",
                                       "/api/overview",
                                       "/api/topics",
                                       "/api/topics/" + topic_name(0),
                                       "/api/topics/" + topic_name(0) + "/messages?limit=50",
                                       "/api/groups",
                                       "/api/groups/" + group_name(0),
                                       "/api/metrics",
                                       "/api/lessons"};
    fmt::print("| endpoint | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n");
    double worst_p95 = 0;
    for (const auto& path : endpoints) {
      std::vector<double> ms;
      for (int r = 0; r < o.requests; ++r) {
        auto t0 = Clock::now();
        auto res = http.Get(path);
        auto t = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (!res || res->status != 200)
          throw std::runtime_error("GET " + path + " failed" +
                                   (res ? ": HTTP " + std::to_string(res->status) : ""));
        ms.push_back(t);
      }
      double p95 = klab::lab::percentile(ms, 0.95);
      worst_p95 = std::max(worst_p95, p95);
      fmt::print("| `{}` | {:.1f} | {:.1f} | {:.1f} |\n", path, klab::lab::percentile(ms, 0.5), p95,
                 *std::max_element(ms.begin(), ms.end()));
    }
    fmt::print("\nworst p95: {:.1f} ms (target <= 300 ms)\n", worst_p95);

    // Idle: nobody calls the console; only its refresher and metrics threads run.
    std::cerr << "  idle window with the console: " << o.idle_seconds << " s\n";
    double calls0 = get_json(http, "/api/config").value("cluster_calls", 0.0);
    double broker0 = broker_requests(co.metrics_urls);
    std::this_thread::sleep_for(std::chrono::seconds(o.idle_seconds));  // the measured window
    double calls1 = get_json(http, "/api/config").value("cluster_calls", 0.0);
    double broker1 = broker_requests(co.metrics_urls);
    console->stop();
    console.reset();
    std::cerr << "  idle window without the console: " << o.idle_seconds << " s\n";
    double base0 = broker_requests(co.metrics_urls);
    std::this_thread::sleep_for(std::chrono::seconds(o.idle_seconds));  // the baseline window
    double base1 = broker_requests(co.metrics_urls);
    double per_min = 60.0 / o.idle_seconds;
    fmt::print("\nidle console: {:.0f} cluster calls/min (its own count)\n",
               (calls1 - calls0) * per_min);
    if (broker0 >= 0)
      fmt::print(
          "brokers' requests/min (all APIs, whole cluster): {:.0f} with the console, {:.0f} "
          "without; the console adds {:.0f}/min\n",
          (broker1 - broker0) * per_min, (base1 - base0) * per_min,
          ((broker1 - broker0) - (base1 - base0)) * per_min);

    if (!o.keep) {
      std::vector<std::string> names;
      for (int i = 0; i < o.topics; ++i) names.push_back(topic_name(i));
      for (int g = 0; g < o.groups; ++g) admin.delete_group(group_name(g), 30s);
      (void)admin.delete_topics(names, 120s);
    }
  } catch (const std::exception& e) {
    std::cerr << "console_perf: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
