// drill list|start|check|scale|stop: troubleshooting drills (klab::lab::Drills), and the hidden
// `drill worker produce|consume` processes a drill runs in the background.
#include <fmt/chrono.h>
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "commands.hpp"
#include "context.hpp"
#include "interrupt.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/raw_request.hpp"
#include "klab/lab/drill.hpp"
#include "klab/lab/lab_cluster.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

klab::lab::Drills drills_of(const Context& ctx) {
  return {ctx.paths, ctx.client_config(), std::filesystem::read_symlink("/proc/self/exe"),
          !ctx.target.external};
}

void cmd_drill_list() {
  auto ctx = make_context();
  auto running = drills_of(ctx).running();
  fmt::print("{:<16}{:<8}{}\n", "DRILL", "ITEM", "WHAT BREAKS");
  for (const auto& d : klab::lab::drills())
    fmt::print("{:<16}{:<8}{}{}\n", d.name, d.roadmap_item, d.title,
               running && running->name == d.name ? "   (running)" : "");
}

void print_running_drill(const klab::lab::RunningDrill& d) {
  fmt::print("  topic {}, group {}: {} producer(s), {} consumer(s) running\n", d.topic, d.group,
             d.producers.size(), d.consumers.size());
  if (!d.producer_properties.empty()) {
    fmt::print("  producer properties:");
    for (const auto& p : d.producer_properties) fmt::print(" {}", p);
    fmt::print("\n");
  }
  if (d.node > 0 && d.broker_properties.empty())
    fmt::print("  the producer reaches node {} through a fault proxy that slows that path\n",
               d.node);
  if (d.node == 0 || d.broker_properties.empty()) return;
  fmt::print("  node {} runs with", d.node);
  for (const auto& [k, v] : d.broker_properties) fmt::print(" {}={}", k, v);
  fmt::print("; {} HTTP health check(s) aimed at its Kafka port\n", d.probes.size());
}

void cmd_drill_start(const std::string& name) {
  auto ctx = make_context();
  const auto& info = klab::lab::find_drill(name);
  auto d = drills_of(ctx).start(name);
  fmt::print("Drill {} started ({}: {}).\n", name, info.roadmap_item, info.title);
  print_running_drill(d);
  fmt::print("\nSymptom to look for: {}\n", info.symptom);
  fmt::print("When you think it is fixed: klab drill check {}   (end: klab drill stop)\n", name);
}

void cmd_drill_check(const std::string& name) {
  auto ctx = make_context();
  auto result = drills_of(ctx).check(name);
  if (!result.passed) throw CommandError("not fixed yet: " + result.summary);
  fmt::print("Fixed: {}\n", result.summary);
}

void cmd_drill_scale(const std::string& name, int consumers) {
  auto ctx = make_context();
  auto d = drills_of(ctx).scale(name, consumers);
  fmt::print("Drill {}:\n", name);
  print_running_drill(d);
}

void cmd_drill_config(const std::string& name, const std::string& property) {
  auto ctx = make_context();
  auto d = drills_of(ctx).configure(name, property);
  if (!d.producer_properties.empty()) {
    fmt::print("Drill {}: producer restarted with", name);
    for (const auto& p : d.producer_properties) fmt::print(" {}", p);
    fmt::print("\n");
  } else if (d.node > 0) {
    fmt::print("Drill {}: node {} restarted.\n", name, d.node);
  } else {
    fmt::print("Drill {}: consumers restarted with", name);
    for (const auto& p : d.consumer_properties) fmt::print(" {}", p);
    fmt::print("\n");
  }
  print_running_drill(d);
}

void cmd_drill_stop() {
  auto ctx = make_context();
  if (!drills_of(ctx).stop()) {
    fmt::print("No drill is running.\n");
    return;
  }
  fmt::print("Drill stopped: its workers ended, its topic and group deleted.\n");
}

// --- workers (run by a drill, not by people) ------------------------------------------------

// What the producer application was told, per partition, for `klab drill check`: rewritten
// every 500 ms as {"pid", "acked": {"<partition>": n}, "failed", "last_error"}.
struct ProduceTally {
  std::mutex mutex;
  std::map<int, long> acked;
  long failed = 0;
  std::string last_error;

  void write(const std::filesystem::path& file) {
    nlohmann::json j;
    {
      std::lock_guard lock(mutex);
      j = {{"pid", ::getpid()}, {"failed", failed}, {"last_error", last_error}};
      j["acked"] = nlohmann::json::object();
      for (const auto& [p, n] : acked) j["acked"][std::to_string(p)] = n;
    }
    auto tmp = file;
    tmp += ".tmp";
    std::ofstream(tmp) << j.dump() << '\n';
    std::filesystem::rename(tmp, file);
  }
};

void drill_worker_produce(const std::string& topic, int rate, int partitions,
                          const std::vector<std::string>& properties, bool via_proxy,
                          const std::string& status_file) {
  catch_interrupts();
  auto ctx = make_context();
  auto config = ctx.client_config().acks("all");
  // Through the lab's fault proxy: every broker as advertised behind it.
  if (via_proxy)
    config.set("bootstrap.servers", klab::lab::lab_cluster(ctx.paths).proxied_bootstrap());
  for (const auto& p : properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos) throw CommandError("--property wants key=value, not " + p, 2);
    config.set(p.substr(0, eq), p.substr(eq + 1));
  }
  auto tally = std::make_shared<ProduceTally>();
  klab::client::Producer producer(config);
  // Told, not asked: a producer that cannot reach the cluster (a drill's slow network) must
  // keep trying to send, as an application would, rather than die waiting for metadata.
  if (partitions == 0) partitions = static_cast<int>(producer.partitions_for(topic, 30s).size());
  auto start = Clock::now();
  auto next_status = start;
  for (long i = 0; !interrupted(); ++i) {
    // Paced: record i leaves at start + i / rate; spread evenly over the partitions.
    std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1'000'000 / rate));
    klab::client::ProducerRecord record{.topic = topic,
                                        .partition = static_cast<std::int32_t>(i % partitions),
                                        .value = fmt::format("event-{}", i)};
    auto on_report = [tally](const klab::client::DeliveryReport& r) {
      std::lock_guard lock(tally->mutex);
      if (r.error) {
        ++tally->failed;
        tally->last_error = fmt::format("partition {}: {}", r.partition, r.error.to_string());
        fmt::print("partition {}: {}\n", r.partition, r.error.to_string());
        std::fflush(stdout);
      } else {
        ++tally->acked[r.partition];
      }
    };
    // Not queued (e.g. a partition without a leader for a moment): the same record again.
    while (producer.send(record, on_report) && !interrupted()) std::this_thread::sleep_for(100ms);
    if (!status_file.empty() && Clock::now() >= next_status) {
      tally->write(status_file);
      next_status = Clock::now() + 500ms;
    }
  }
}

// What one consumer instance went through, for `klab drill check`: rewritten every 500 ms as
// {"pid", "rebalances", "revoked_partitions"} (events that took partitions away from it).
void write_consume_status(const std::filesystem::path& file, long rebalances, long revoked) {
  auto tmp = file;
  tmp += ".tmp";
  std::ofstream(tmp) << nlohmann::json{{"pid", ::getpid()},
                                       {"rebalances", rebalances},
                                       {"revoked_partitions", revoked}}
                            .dump()
                     << '\n';
  std::filesystem::rename(tmp, file);
}

void drill_worker_consume(const std::string& topic, const std::string& group, int processing_ms,
                          const std::vector<std::string>& properties,
                          const std::string& status_file) {
  catch_interrupts();
  auto ctx = make_context();
  auto config = ctx.client_config();
  config.group_id(group)
      .auto_offset_reset(klab::client::OffsetReset::earliest)
      .enable_auto_commit(true)
      .set("auto.commit.interval.ms", "1000");  // lag as the CLI sees it follows within 1 s
  for (const auto& p : properties) {
    auto eq = p.find('=');
    if (eq == std::string::npos) throw CommandError("--property wants key=value, not " + p, 2);
    config.set(p.substr(0, eq), p.substr(eq + 1));
  }
  // Counted on the poll thread (the listener runs inside poll()); written at once, so a check
  // that stops this instance reads every rebalance it went through. Its own leaving is not one.
  // Every rebalance event after the instance's first assignment counts (cooperative ones hand
  // out partitions without taking any); revoked and lost ones also count what was given up.
  long rebalances = 0, revoked = 0;
  bool joined = false, closing = false;
  config.rebalance_listener([&](klab::client::Consumer&, const klab::client::RebalanceEvent& e) {
    bool gives_up = e.kind != klab::client::RebalanceKind::assigned;
    if (closing || (!joined && !gives_up && (joined = true))) return;
    ++rebalances;
    if (gives_up) revoked += static_cast<long>(e.partitions.size());
    fmt::print("{}: {} {} partition(s)\n", fmt::format("{:%T}", std::chrono::system_clock::now()),
               gives_up ? "gave up" : "got", e.partitions.size());
    std::fflush(stdout);
    if (!status_file.empty()) write_consume_status(status_file, rebalances, revoked);
  });
  klab::client::Consumer consumer(config);
  consumer.subscribe({topic});
  auto next_status = Clock::now();
  while (!interrupted()) {
    if (!status_file.empty() && Clock::now() >= next_status) {
      write_consume_status(status_file, rebalances, revoked);
      next_status = Clock::now() + 500ms;
    }
    if (auto r = consumer.poll(200ms); r && !r->error()) {
      // The "work", in steps so that SIGTERM ends it promptly.
      auto done = Clock::now() + std::chrono::milliseconds(processing_ms);
      while (!interrupted() && Clock::now() < done)
        std::this_thread::sleep_for(std::min<Clock::duration>(100ms, done - Clock::now()));
    }
  }
  closing = true;
  consumer.close();  // leaves the group now (a static member keeps its place)
}

// A load balancer's health check aimed at the Kafka port by mistake: an HTTP request every
// interval, whatever happens to the broker.
void drill_worker_http_probe(int port, int interval_ms) {
  catch_interrupts();
  while (!interrupted()) {
    auto reply = klab::cluster::send_raw("127.0.0.1", static_cast<std::uint16_t>(port),
                                         klab::cluster::http_health_check, 2s);
    fmt::print("GET /health -> 127.0.0.1:{}: {}\n", port, klab::cluster::to_string(reply));
    std::fflush(stdout);
    auto until = Clock::now() + std::chrono::milliseconds(interval_ms);
    while (!interrupted() && Clock::now() < until) std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

void add_drill_commands(CLI::App& app) {
  auto* drill = app.add_subcommand(
      "drill", "Troubleshooting drills (7.3): break the lab on purpose, find and fix it");
  drill->require_subcommand(1);
  drill->add_subcommand("list", "The drills and which one runs")->callback([] {
    cmd_drill_list();
  });

  static std::string name;
  auto* start = drill->add_subcommand("start", "Break the lab one way; says what to look for");
  start->add_option("name", name, "drill name (klab drill list)")->required();
  start->callback([] { cmd_drill_start(name); });

  auto* check = drill->add_subcommand(
      "check", "Measure the symptom: exit 0 once fixed, 1 with what is still wrong");
  check->add_option("name", name, "drill name")->required();
  check->callback([] { cmd_drill_check(name); });

  static int consumers = 1;
  auto* scale = drill->add_subcommand(
      "scale", "Run N instances of the drill's consumer application (start or stop some)");
  scale->add_option("name", name, "drill name")->required();
  scale->add_option("consumers", consumers, "instances to run")
      ->required()
      ->check(CLI::Range(1, 64));
  scale->callback([] { cmd_drill_scale(name, consumers); });

  static std::string property;
  auto* configure = drill->add_subcommand(
      "config",
      "Set a property of what the drill broke (its consumer application, or its broker) and "
      "restart it with the property");
  configure->add_option("name", name, "drill name")->required();
  configure
      ->add_option("property", property,
                   "key=value, e.g. max.poll.interval.ms=30000 or "
                   "socket.request.max.bytes=104857600")
      ->required();
  configure->callback([] { cmd_drill_config(name, property); });

  drill->add_subcommand("stop", "End the running drill: workers, topic and group go")->callback([] {
    cmd_drill_stop();
  });

  // The background processes of a drill; hidden from --help (an empty group).
  static std::string topic, group;
  static int rate = 100, processing_ms = 10;
  static std::vector<std::string> properties;
  auto* worker = drill->add_subcommand("worker", "")->group("");
  worker->require_subcommand(1);
  static bool via_proxy = false;
  static std::string status_file;
  auto* produce = worker->add_subcommand("produce", "paced producer");
  produce->add_option("--topic", topic)->required();
  produce->add_option("--rate", rate)->check(CLI::Range(1, 100000));
  static int partitions = 0;
  produce->add_option("--partitions", partitions, "spread over partitions 0..N-1 (0: ask)")
      ->check(CLI::Range(0, 10000));
  produce->add_option("--property", properties, "producer property key=value (repeatable)");
  produce->add_flag("--via-proxy", via_proxy, "reach the brokers through the lab's fault proxy");
  produce->add_option("--status-file", status_file, "where to keep what the producer was told");
  produce->callback(
      [] { drill_worker_produce(topic, rate, partitions, properties, via_proxy, status_file); });
  auto* consume = worker->add_subcommand("consume", "slow consumer");
  consume->add_option("--topic", topic)->required();
  consume->add_option("--group", group)->required();
  consume->add_option("--processing-ms", processing_ms)->check(CLI::Range(0, 60000));
  consume->add_option("--property", properties, "consumer property key=value (repeatable)");
  consume->add_option("--status-file", status_file, "where to keep what the instance went through");
  consume->callback(
      [] { drill_worker_consume(topic, group, processing_ms, properties, status_file); });
  static int port = 0, interval_ms = 3000;
  auto* probe = worker->add_subcommand("http-probe", "HTTP health check at a Kafka port");
  probe->add_option("--port", port)->required()->check(CLI::Range(1, 65535));
  probe->add_option("--interval-ms", interval_ms)->check(CLI::Range(100, 600000));
  probe->callback([] { drill_worker_http_probe(port, interval_ms); });
}

}  // namespace klab::cli
