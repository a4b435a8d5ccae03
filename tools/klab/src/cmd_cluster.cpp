// up, down, status, reset: the lab's own cluster.
#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/quorum.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/lab/console_process.hpp"
#include "klab/lab/drill.hpp"
#include "klab/lab/lab_cluster.hpp"
#include "klab/lab/lab_registry.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using klab::cluster::LocalCluster;

struct UpOptions {
  int nodes = 0;  // 0: what the lab was created with, else 3
  int port = 0;
  int console_port = 0;  // 0: the port the lab's console used last, else 8080
  bool no_console = false;
  bool secure = false;
  std::string kafka_version = "pinned";  // or "previous": kafka/previous/pom.xml (8.1.3)
  bool with_registry = false;
  int registry_port = 0;  // 0: the one used last, else 8085
};

void refuse_when_external(const Context& ctx, const char* command) {
  if (ctx.target.external)
    throw CommandError(fmt::format(
        "`klab {}` manages the lab's own cluster, but KLAB_BOOTSTRAP={} points elsewhere: "
        "unset KLAB_BOOTSTRAP to manage the lab",
        command, ctx.target.bootstrap));
}

LocalCluster open_lab(const Context& ctx, int nodes = 0, int port = 0, bool secure = false) {
  return klab::lab::lab_cluster(ctx.paths, nodes, port, secure);
}

using klab::lab::ConsoleProcess;

// Every listener as PROTOCOL 127.0.0.1:PORT and who may use which file.
void print_security(const LocalCluster& lab) {
  if (!lab.secure()) return;
  auto material = lab.security();
  fmt::print(
      "\nSecured lab (SASL/SCRAM-SHA-512, TLS, mTLS; StandardAuthorizer, super user "
      "User:admin):\n");
  for (const auto& l : klab::cluster::secure_listeners()) {
    auto node1 = lab.nodes().front().client_port + l.port_offset;
    fmt::print("  {:<15} {}:{}{}\n", l.protocol, "127.0.0.1", node1,
               lab.node_count() > 1 ? fmt::format(" (node N: {}+N-1)", node1) : "");
  }
  fmt::print(
      "  client properties (KLAB_CLIENT_PROPERTIES=...; without it klab acts as admin over "
      "mTLS):\n");
  for (const auto& user : klab::cluster::lab_users())
    for (const auto& l : klab::cluster::secure_listeners())
      fmt::print("    {:<15} {}\n", l.protocol,
                 (material.dir() / (user + l.file_suffix + ".properties")).string());
  fmt::print("  Kafka's Java tools: --command-config {}/<name>.java.properties\n",
             material.dir().string());
  fmt::print("  CA certificate: {}\n", material.ca_cert().string());
}

void print_ready(const LocalCluster& lab, const std::optional<ConsoleProcess>& console) {
  fmt::print("\nKafka Lab is up: {} KRaft node(s), Apache Kafka {}\n", lab.node_count(),
             lab.kafka_version());
  fmt::print("  bootstrap   {}{}\n", lab.bootstrap(), lab.secure() ? " (SASL_PLAINTEXT)" : "");
  if (console) fmt::print("  console     http://127.0.0.1:{}\n", console->port);
  fmt::print("  logs        {}/node-N/logs/server.log\n", lab.state_dir().string());
  fmt::print("  data        {}/node-N/data   (kept across down/up; `klab reset` wipes it)\n",
             lab.state_dir().string());
  print_security(lab);
  fmt::print(
      "\nTry next:\n"
      "  ./klab status                                  brokers and the KRaft quorum\n"
      "  ./klab topics create hello --partitions 3      a topic spread over the brokers\n"
      "  echo 'hi Kafka' | ./klab produce hello         write a record\n"
      "  ./klab consume hello --from-beginning --max 1  read it back\n"
      "  ./klab progress                                the roadmap and what is proven\n"
      "  open the console URL above                     topics, messages, groups, metrics\n"
      "  ./klab down                                    stop the lab\n");
}

void cmd_up(const UpOptions& o) {
  auto ctx = make_context();
  refuse_when_external(ctx, "up");
  if (o.nodes != 0 && o.nodes != 1 && o.nodes != 3)
    throw CommandError(fmt::format("--nodes must be 1 or 3, not {}", o.nodes), 2);
  auto lab = open_lab(ctx, o.nodes, o.port, o.secure);
  if (o.kafka_version == "previous") {
    if (lab.formatted())
      throw CommandError(
          "--kafka-version previous applies to a new lab only: this one exists already "
          "(`klab reset --yes` first, or `klab upgrade --rollback` to move its nodes back)",
          2);
    for (int id = 1; id <= lab.node_count(); ++id)
      lab.set_node_kafka_libs(id, ctx.paths.kafka_previous_libs);
  }
  auto start_console = [&]() -> std::optional<ConsoleProcess> {
    if (o.no_console) return std::nullopt;
    fmt::print("  starting the console\n");
    return klab::lab::start_background_console(ctx.paths,
                                               std::filesystem::read_symlink("/proc/self/exe"),
                                               static_cast<std::uint16_t>(o.console_port));
  };
  // The registry once asked for (or remembered from an earlier --with-registry).
  auto start_registry = [&] {
    if (!o.with_registry && !klab::lab::lab_registry(ctx.paths)) return;
    fmt::print("  starting the schema registry (Apicurio)\n");
    auto registry =
        klab::lab::start_lab_registry(ctx.paths, static_cast<std::uint16_t>(o.registry_port));
    fmt::print("  registry    {} (Confluent-compatible API)\n", registry.ccompat_url());
  };
  if (lab.all_running()) {
    fmt::print("The lab is already running at {} ({} node(s)); nothing was restarted.\n",
               lab.bootstrap(), lab.node_count());
    start_registry();
    if (auto console = start_console())
      fmt::print("  console     http://127.0.0.1:{}\n", console->port);
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  lab.up([](const std::string& line) { fmt::print("  {}\n", line); });
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  fmt::print("  ready in {:.1f} s\n", ms.count() / 1000.0);
  start_registry();
  auto console = start_console();
  print_ready(lab, console);
}

void cmd_down() {
  auto ctx = make_context();
  refuse_when_external(ctx, "down");
  auto lab = open_lab(ctx);
  if (klab::lab::stop_background_console(ctx.paths)) fmt::print("Stopped the console.\n");
  if (auto registry = klab::lab::lab_registry(ctx.paths); registry && registry->stop())
    fmt::print("Stopped the schema registry.\n");
  // A drill's workers would retry a stopped cluster forever: they end with it (its topic stays).
  if (klab::lab::Drills(ctx.paths, ctx.client_config(), {}).stop_workers() > 0)
    fmt::print(
        "Stopped the running drill's workers (`klab drill stop` after `klab up` ends it).\n");
  int stopped = lab.down();
  if (lab.any_running()) throw CommandError("some nodes are still running after SIGKILL");
  if (stopped == 0)
    fmt::print("The lab was not running.\n");
  else
    fmt::print("Stopped {} node(s). Data is kept: `klab up` brings it back.\n", stopped);
}

void cmd_reset(bool yes) {
  auto ctx = make_context();
  refuse_when_external(ctx, "reset");
  auto lab = open_lab(ctx);
  if (!yes)
    throw CommandError(
        fmt::format("reset deletes every topic and record in {}: run `klab reset --yes` to confirm",
                    ctx.paths.state_dir.string()),
        2);
  if (lab.any_running()) throw CommandError("the lab is running: run `klab down` first");
  lab.reset();
  fmt::print("Deleted {}. The next `klab up` formats a new cluster.\n",
             ctx.paths.state_dir.string());
}

void print_local_nodes(const Context& ctx) {
  auto lab = open_lab(ctx);
  if (!lab.formatted()) {
    fmt::print("The lab has no cluster yet: `klab up` creates one.\n");
    return;
  }
  fmt::print("Lab nodes ({}; cluster id {}):\n", ctx.paths.state_dir.string(), lab.cluster_id());
  fmt::print("  {:<5} {:<17} {:<17} {:<33} {:<8} {:<7} {}\n", "node", "client", "controller",
             "metrics (JMX exporter)", "pid", "kafka", "state");
  for (const auto& n : lab.nodes())
    fmt::print("  {:<5} 127.0.0.1:{:<7} 127.0.0.1:{:<7} {:<33} {:<8} {:<7} {}\n", n.id,
               n.client_port, n.controller_port,
               fmt::format("http://127.0.0.1:{}/metrics", n.metrics_port),
               n.running ? std::to_string(n.pid) : "-", lab.node_kafka_version(n.id),
               n.paused    ? std::string("paused")
               : n.running ? std::string("running")
               : n.died    ? fmt::format("died (see node-{}/logs/stdout.log)", n.id)
                           : std::string("stopped"));
  print_security(lab);
}

void cmd_status() {
  auto ctx = make_context();
  fmt::print("Cluster: {}\n", ctx.target.describe());
  if (!ctx.target.external) {
    print_local_nodes(ctx);
    auto console = klab::lab::running_console(ctx.paths);
    fmt::print("Console: {}\n",
               console ? fmt::format("http://127.0.0.1:{} (pid {})", console->port, console->pid)
                       : std::string("not running (`klab up` starts it)"));
    auto registry = klab::lab::lab_registry(ctx.paths);
    fmt::print("Schema registry: {}\n",
               registry && registry->running()
                   ? fmt::format("{} (Confluent-compatible API; Apicurio's UI API at {}/apis)",
                                 registry->ccompat_url(), registry->url())
                   : std::string("not running (`klab up --with-registry` starts it)"));
  }
  klab::client::Admin admin(ctx.client_config().set(klab::client::keys::log_level, "0"));
  auto cluster = admin.describe_cluster(5s);
  fmt::print("\nBrokers ({} registered; cluster id {}):\n", cluster.brokers.size(),
             cluster.cluster_id);
  for (const auto& b : cluster.brokers) fmt::print("  {:<4} {}:{}\n", b.id, b.host, b.port);
  auto rt = klab::cluster::KafkaRuntime::locate(ctx.paths);
  auto q = klab::cluster::describe_quorum(rt, ctx.target.bootstrap, ctx.target.properties_file);
  std::string voters;
  for (int v : q.voters) voters += (voters.empty() ? "" : ", ") + std::to_string(v);
  fmt::print("\nKRaft quorum (no ZooKeeper):\n");
  fmt::print("  leader        node {} (epoch {})\n", q.leader_id, q.leader_epoch);
  fmt::print("  voters        {}\n", voters);
  fmt::print("  high watermark {} (max follower lag {})\n", q.high_watermark, q.max_follower_lag);
  fmt::print("\nKafka jars: Apache Kafka {} (kafka/pom.xml)\n", rt.kafka_version());
}

}  // namespace

void add_cluster_commands(CLI::App& app) {
  static UpOptions up;
  auto* c_up = app.add_subcommand("up", "Start the lab's KRaft cluster (formats it on first use)");
  c_up->add_option("--nodes", up.nodes, "1 or 3 combined broker+controller nodes (default 3)");
  c_up->add_option("--port", up.port, "client port of node 1; node N uses port+N-1 (default 9092)")
      ->check(CLI::Range(1024, 65000));
  c_up->add_option("--console-port", up.console_port,
                   "port of the web console (default: the last one used, else 8080)")
      ->check(CLI::Range(1024, 65535));
  c_up->add_flag("--no-console", up.no_console, "start the cluster only, without the console");
  c_up->add_flag("--secure", up.secure,
                 "SASL/SCRAM, TLS and mTLS listeners with ACLs (keys and client properties in "
                 ".klab/security); a plaintext lab must be reset first");
  c_up->add_option("--kafka-version", up.kafka_version,
                   "a new lab's Kafka: pinned (kafka/pom.xml, default) or previous "
                   "(kafka/previous/pom.xml), the start of `klab upgrade`")
      ->check(CLI::IsMember({"pinned", "previous"}));
  c_up->add_flag("--with-registry", up.with_registry,
                 "also start the schema registry (Apicurio, in memory; remembered for the next "
                 "`klab up`)");
  c_up->add_option("--registry-port", up.registry_port,
                   "port of the schema registry (default: the last one used, else 8085)")
      ->check(CLI::Range(1024, 65535));
  c_up->callback([] { cmd_up(up); });

  app.add_subcommand("down", "Stop every node (data is kept)")->callback([] { cmd_down(); });
  app.add_subcommand("status", "Brokers, the KRaft quorum and the Kafka version")->callback([] {
    cmd_status();
  });

  static bool yes = false;
  auto* c_reset = app.add_subcommand("reset", "Delete the lab's data (the lab must be down)");
  c_reset->add_flag("--yes,-y", yes, "confirm: every topic and record is deleted");
  c_reset->callback([] { cmd_reset(yes); });
}

}  // namespace klab::cli
