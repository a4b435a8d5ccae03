#include "klab/cluster/local_cluster.hpp"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "broker_probe.hpp"
#include "klab/client/base64.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding.
std::string random_cluster_id() {
  std::random_device rd;
  for (;;) {
    std::string bytes(16, '\0');
    for (auto& b : bytes) b = static_cast<char>(rd());
    auto id = klab::client::base64_encode(bytes, klab::client::Base64Alphabet::url);
    if (id[0] != '-') return id;  // a leading '-' reads as an option to Kafka's tools
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

char process_state(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close_paren = stat.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= stat.size() ? '?'
                                                                            : stat[close_paren + 2];
}

std::string fill(std::string text, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    std::string key = "${" + k + "}";
    for (size_t pos; (pos = text.find(key)) != std::string::npos;) text.replace(pos, key.size(), v);
  }
  return text;
}

constexpr const char* state_file = "lab.json";

fs::path jmx_exporter_config(const LabPaths& paths) {
  auto file = paths.config_dir / "jmx-exporter.yaml";
  if (!fs::exists(file))
    throw ClusterError("the JMX exporter config " + file.string() +
                       " is missing: is this a complete Kafka Lab checkout?");
  return file;
}

}  // namespace

LocalCluster::LocalCluster(LabPaths paths, ClusterSpec spec)
    : paths_(std::move(paths)), spec_(std::move(spec)) {
  if (spec_.state_dir.empty()) spec_.state_dir = paths_.state_dir;
  if (spec_.security_dir.empty()) spec_.security_dir = paths_.security_dir;
  load_state();
}

void LocalCluster::load_state() {
  auto file = spec_.state_dir / state_file;
  if (!fs::exists(file)) {
    if (spec_.nodes == 0) spec_.nodes = defaults::nodes;
    if (spec_.first_client_port == 0) spec_.first_client_port = defaults::first_client_port;
    if (spec_.nodes != 1 && spec_.nodes != 3)
      throw ClusterError("--nodes must be 1 or 3 (got " + std::to_string(spec_.nodes) + ")");
    return;
  }
  json j;
  try {
    j = json::parse(read_file(file));
  } catch (const std::exception& e) {
    throw ClusterError(file.string() + " is not valid JSON (" + e.what() +
                       "): run `klab reset` to start over");
  }
  int nodes = j.value("nodes", 0);
  int port = j.value("first_client_port", 0);
  // A secured lab stays secured; only asking to secure a plaintext lab conflicts.
  bool secure = j.value("secure", false);
  if (spec_.secure && !secure)
    throw ClusterError("the lab in " + spec_.state_dir.string() +
                       " was created without security: run `klab reset --yes` first to make it "
                       "a secured lab (this deletes its data)");
  spec_.secure = secure;
  if (spec_.nodes != 0 && spec_.nodes != nodes)
    throw ClusterError("the lab in " + spec_.state_dir.string() + " was created with " +
                       std::to_string(nodes) + " node(s), not " + std::to_string(spec_.nodes) +
                       ": run `klab reset` first to change it (this deletes its data)");
  if (spec_.first_client_port != 0 && spec_.first_client_port != port)
    throw ClusterError("the lab in " + spec_.state_dir.string() + " uses port " +
                       std::to_string(port) + ", not " + std::to_string(spec_.first_client_port) +
                       ": run `klab reset` first to change it (this deletes its data)");
  spec_.nodes = nodes;
  spec_.first_client_port = static_cast<std::uint16_t>(port);
  cluster_id_ = j.value("cluster_id", "");
}

void LocalCluster::save_state() const {
  fs::create_directories(spec_.state_dir);
  json j{{"nodes", spec_.nodes},
         {"first_client_port", spec_.first_client_port},
         {"cluster_id", cluster_id_},
         {"secure", spec_.secure},
         {"bootstrap", bootstrap()}};
  std::ofstream(spec_.state_dir / state_file) << j.dump(2) << '\n';
}

std::uint16_t LocalCluster::controller_port(int id) const {
  return client_port(id) + defaults::controller_port_offset;
}

std::uint16_t LocalCluster::metrics_port(int id) const {
  return client_port(id) + defaults::metrics_port_offset;
}

std::string LocalCluster::metrics_url(int id) const {
  check_id(id);
  return "http://" + std::string(defaults::host) + ':' + std::to_string(metrics_port(id)) +
         "/metrics";
}

std::string LocalCluster::bootstrap() const {
  return defaults::bootstrap_for(spec_.nodes, spec_.first_client_port);
}

std::string LocalCluster::proxied_bootstrap() const {
  return defaults::bootstrap_for(spec_.nodes, fault_proxy_port(1));
}

std::uint16_t LocalCluster::via_proxy_port(int id) const {
  return client_port(id) + defaults::via_proxy_port_offset;
}

std::uint16_t LocalCluster::fault_proxy_port(int id) const {
  return client_port(id) + defaults::fault_proxy_port_offset;
}

std::uint16_t LocalCluster::fault_proxy_api_port() const {
  return spec_.first_client_port + defaults::fault_proxy_api_offset;
}

std::string LocalCluster::node_bootstrap(int id) const {
  check_id(id);
  return std::string(defaults::host) + ':' + std::to_string(client_port(id));
}

void LocalCluster::check_id(int id) const {
  if (id < 1 || id > spec_.nodes)
    throw ClusterError("node " + std::to_string(id) + " does not exist: this lab has nodes 1.." +
                       std::to_string(spec_.nodes));
}

fs::path LocalCluster::node_dir(int id) const {
  return spec_.state_dir / ("node-" + std::to_string(id));
}

fs::path LocalCluster::log_file(int id) const { return node_dir(id) / "logs" / "server.log"; }

bool LocalCluster::formatted() const {
  for (int id = 1; id <= spec_.nodes; ++id)
    if (!fs::exists(node_dir(id) / "data" / "meta.properties")) return false;
  return !cluster_id_.empty();
}

ManagedProcess LocalCluster::node_process(int id) const {
  // A recycled pid must not be mistaken for our node: its command line names this node's config.
  return ManagedProcess(node_dir(id) / "pid", (node_dir(id) / "server.properties").string());
}

pid_t LocalCluster::read_pid(int id) const { return node_process(id).pid(); }

std::vector<NodeStatus> LocalCluster::nodes() const {
  std::vector<NodeStatus> out;
  for (int id = 1; id <= spec_.nodes; ++id) {
    NodeStatus s;
    s.id = id;
    s.client_port = client_port(id);
    s.controller_port = controller_port(id);
    s.metrics_port = metrics_port(id);
    s.pid = read_pid(id);
    s.running = s.pid != 0;
    s.paused = s.running && process_state(s.pid) == 'T';
    s.died = !s.running && fs::exists(node_dir(id) / "pid");
    out.push_back(s);
  }
  return out;
}

bool LocalCluster::any_running() const {
  for (auto& n : nodes())
    if (n.running) return true;
  return false;
}

bool LocalCluster::all_running() const {
  for (auto& n : nodes())
    if (!n.running) return false;
  return true;
}

std::string LocalCluster::kafka_version() const {
  return KafkaRuntime::locate(paths_).kafka_version();
}

void LocalCluster::write_node_config(int id) const {
  std::string voters;
  for (int i = 1; i <= spec_.nodes; ++i) {
    if (i > 1) voters += ',';
    voters += std::to_string(i) + "@" + defaults::host + ':' + std::to_string(controller_port(i));
  }
  int internal_rf = std::min(spec_.nodes, 3);
  auto template_path = paths_.config_dir / "node.properties";
  std::string text = read_file(template_path);
  if (text.empty())
    throw ClusterError("the node template " + template_path.string() +
                       " is missing: is this a complete Kafka Lab checkout?");
  text = fill(text, {{"node_id", std::to_string(id)},
                     {"quorum_voters", voters},
                     {"client_port", std::to_string(client_port(id))},
                     {"via_proxy_port", std::to_string(via_proxy_port(id))},
                     {"fault_proxy_port", std::to_string(fault_proxy_port(id))},
                     {"controller_port", std::to_string(controller_port(id))},
                     {"data_dir", (node_dir(id) / "data").string()},
                     {"internal_rf", std::to_string(internal_rf)},
                     {"internal_min_isr", std::to_string(internal_rf > 1 ? 2 : 1)}});
  if (spec_.secure) {
    text += "\n# Secured lab: SASL/SCRAM, TLS and mTLS listeners, StandardAuthorizer\n";
    for (const auto& [k, v] : secure_broker_properties(id, spec_.nodes, spec_.first_client_port,
                                                       controller_port(id), security()))
      text += k + '=' + v + '\n';
  }
  if (!spec_.broker_properties.empty()) {
    text += "\n# Overrides for this cluster\n";
    for (const auto& [k, v] : spec_.broker_properties)
      text += k + '=' + fill(v, {{"security_dir", spec_.security_dir.string()}}) + '\n';
  }
  // Last, so they win: what a drill or lesson changed on this node alone.
  if (auto node = read_file(node_overrides_file(id)); !node.empty())
    text += "\n# Overrides for this node (" + node_overrides_file(id).filename().string() + ")\n" +
            node;
  fs::create_directories(node_dir(id) / "logs");
  std::ofstream(node_dir(id) / "server.properties") << text;
}

fs::path LocalCluster::node_overrides_file(int id) const {
  return node_dir(id) / "overrides.properties";
}

void LocalCluster::set_node_overrides(int id,
                                      const std::map<std::string, std::string>& properties) {
  check_id(id);
  auto file = node_overrides_file(id);
  std::error_code ec;
  if (properties.empty()) {
    fs::remove(file, ec);
    return;
  }
  fs::create_directories(node_dir(id));
  std::ofstream out(file);
  for (const auto& [k, v] : properties) out << k << '=' << v << '\n';
  if (!out) throw ClusterError("cannot write " + file.string());
}

std::map<std::string, std::string> LocalCluster::node_overrides(int id) const {
  std::map<std::string, std::string> properties;
  std::ifstream in(node_overrides_file(id));
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos && eq > 0)
      properties[line.substr(0, eq)] = line.substr(eq + 1);
  return properties;
}

KafkaRuntime LocalCluster::runtime_for(int id) const {
  auto libs = read_file(node_dir(id) / "kafka-libs");
  while (!libs.empty() && (libs.back() == '\n' || libs.back() == ' ')) libs.pop_back();
  return libs.empty() ? KafkaRuntime::locate(paths_) : KafkaRuntime::locate(paths_, libs);
}

void LocalCluster::set_node_kafka_libs(int id, const std::optional<fs::path>& libs) {
  check_id(id);
  auto file = node_dir(id) / "kafka-libs";
  std::error_code ec;
  if (!libs) {
    fs::remove(file, ec);
    return;
  }
  KafkaRuntime::locate(paths_, *libs);  // refuses a folder without Kafka's jars
  fs::create_directories(node_dir(id));
  std::ofstream(file) << libs->string() << '\n';
}

std::string LocalCluster::node_kafka_version(int id) const {
  check_id(id);
  return runtime_for(id).kafka_version();
}

void LocalCluster::format(const KafkaRuntime& /*lab_runtime*/, const Progress& progress) {
  if (cluster_id_.empty()) cluster_id_ = random_cluster_id();
  std::vector<std::string> scram;
  if (spec_.secure) scram = scram_format_arguments(security());
  std::vector<std::thread> workers;
  std::vector<CommandResult> results(spec_.nodes);
  std::vector<std::string> failures(spec_.nodes);
  for (int id = 1; id <= spec_.nodes; ++id) {
    if (fs::exists(node_dir(id) / "data" / "meta.properties")) continue;
    write_node_config(id);
    if (progress) progress("formatting KRaft storage of node " + std::to_string(id));
    // One JVM per node in parallel: formatting is mostly JVM start-up.
    workers.emplace_back([&, id] {
      try {
        std::vector<std::string> args{"format", "-t", cluster_id_, "-c",
                                      (node_dir(id) / "server.properties").string()};
        args.insert(args.end(), scram.begin(), scram.end());
        // The node's own version formats it: its metadata.version is that release's.
        results[id - 1] = runtime_for(id).run_tool("kafka.tools.StorageTool", args, scaled(120s));
      } catch (const std::exception& e) {
        failures[id - 1] = e.what();
      }
    });
  }
  for (auto& w : workers) w.join();
  for (int id = 1; id <= spec_.nodes; ++id) {
    if (!failures[id - 1].empty()) throw ClusterError(failures[id - 1]);
    auto& r = results[id - 1];
    if (r.exit_code > 0 || r.timed_out)
      throw ClusterError("formatting node " + std::to_string(id) + " failed (exit " +
                             std::to_string(r.exit_code) + "): see the details below",
                         r.output);
  }
  save_state();
}

std::vector<std::uint16_t> LocalCluster::node_ports(int id) const {
  std::vector<std::uint16_t> ports{client_port(id), controller_port(id), metrics_port(id)};
  if (!spec_.secure) ports.push_back(via_proxy_port(id));
  if (spec_.secure)
    for (auto offset : {defaults::sasl_ssl_port_offset, defaults::mtls_port_offset,
                        defaults::internal_port_offset})
      ports.push_back(client_port(id) + offset);
  return ports;
}

void LocalCluster::check_node_ports_free(int id) const {
  for (auto port : node_ports(id))
    if (!port_free(port))
      throw ClusterError("port " + std::to_string(port) + " on " + defaults::host +
                         " is already in use (needed by node " + std::to_string(id) +
                         "): stop what holds it (`ss -ltnp 'sport = :" + std::to_string(port) +
                         "'`) or choose other ports with `klab up --port`");
}

void LocalCluster::check_ports_free() const {
  for (int id = 1; id <= spec_.nodes; ++id)
    if (!read_pid(id)) check_node_ports_free(id);
}

void LocalCluster::spawn_node(const KafkaRuntime& lab_runtime, int id) {
  write_node_config(id);      // re-rendered each start so template changes apply
  auto rt = runtime_for(id);  // the node's Kafka version; the exporter agent is the lab's
  int heap = spec_.heap_mb ? spec_.heap_mb : (spec_.nodes == 1 ? 768 : 512);
  std::vector<std::string> argv{rt.java(), "-Xms" + std::to_string(heap / 2) + "m",
                                "-Xmx" + std::to_string(heap) + "m"};
  if (spec_.light_jvm) {
    for (const char* flag : {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"}) argv.push_back(flag);
  } else {
    // Two cores shared by up to three nodes: keep GC and JIT threads few.
    for (const char* flag : {"-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:ParallelGCThreads=1",
                             "-XX:ConcGCThreads=1", "-XX:CICompilerCount=2"})
      argv.push_back(flag);
  }
  argv.insert(argv.end(), spec_.jvm_flags.begin(), spec_.jvm_flags.end());
  argv.insert(
      argv.end(),
      {// Every collection with its pause, for the JVM lesson and for anyone asking why a node
       // stalled; two 10 MB files at most.
       "-Xlog:gc:file=" + (node_dir(id) / "logs" / "gc.log").string() +
           ":uptime,level,tags:filecount=2,filesize=10m",
       "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
       "-Dlog4j2.configurationFile=" + (paths_.config_dir / "log4j2.properties").string(),
       "-Dkafka.logs.dir=" + (node_dir(id) / "logs").string(),
       // Broker metrics over HTTP on loopback only; the YAML picks and names the MBeans.
       "-javaagent:" + lab_runtime.jmx_agent_jar().string() + '=' + defaults::host + ':' +
           std::to_string(metrics_port(id)) + ':' + jmx_exporter_config(paths_).string(),
       "-cp", rt.classpath(), "kafka.Kafka", (node_dir(id) / "server.properties").string()});
  node_process(id).start(argv, {.log_file = node_dir(id) / "logs" / "stdout.log",
                                .die_with_parent = spec_.die_with_parent});
}

void LocalCluster::check_alive_or_throw(int id) const {
  std::ifstream in(node_dir(id) / "pid");
  pid_t pid = 0;
  if (!(in >> pid)) return;  // stopped on purpose: stop/kill remove the pid file
  if (process_alive(pid)) return;
  std::string tail = tail_file(node_dir(id) / "logs" / "stdout.log", 15);
  std::string server = tail_file(log_file(id), 25);
  throw ClusterError("node " + std::to_string(id) + " died during start-up: its log follows (" +
                         log_file(id).string() + ")",
                     tail + server);
}

long LocalCluster::max_leader_epoch() const {
  long epoch = -1;
  for (int id = 1; id <= spec_.nodes; ++id) {
    try {
      auto j =
          json::parse(read_file(node_dir(id) / "data" / "__cluster_metadata-0" / "quorum-state"));
      if (j.value("leaderId", -1) >= 0) epoch = std::max(epoch, j.value("leaderEpoch", -1L));
    } catch (...) {
    }
  }
  return epoch;
}

void LocalCluster::await_quorum_leader(long previous_epoch,
                                       std::chrono::milliseconds timeout) const {
  // A (re)started quorum always elects in a new epoch: seeing one proves a live leader.
  if (!await_until([&] { return max_leader_epoch() > previous_epoch; }, timeout))
    throw ClusterError("the KRaft quorum elected no leader within " +
                       std::to_string(timeout.count() / 1000) + " s: see " +
                       (node_dir(1) / "logs").string());
}

void LocalCluster::await_brokers(int expected, std::chrono::milliseconds timeout) {
  BrokerProbe probe(probe_bootstrap(), probe_properties());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (auto& n : nodes())
      if (!n.running) check_alive_or_throw(n.id);
    if (probe.broker_count(2s) >= expected) return;
    if (std::chrono::steady_clock::now() > deadline)
      throw ClusterError("only " + std::to_string(probe.broker_count(2s)) + " of " +
                         std::to_string(expected) + " brokers registered within " +
                         std::to_string(timeout.count() / 1000) + " s: see " +
                         (node_dir(1) / "logs").string());
    std::this_thread::sleep_for(200ms);
  }
}

bool LocalCluster::up(const Progress& progress) {
  if (all_running()) return false;
  auto rt = KafkaRuntime::locate(paths_);
  check_ports_free();
  if (spec_.secure) {
    if (progress)
      progress("secured lab: keys, certificates and passwords in " + spec_.security_dir.string());
    write_client_properties_files(security(), spec_.nodes, spec_.first_client_port);
  }
  if (!formatted()) format(rt, progress);
  long epoch_before = max_leader_epoch();
  bool none_running = !any_running();
  for (auto& n : nodes()) {
    if (n.running) continue;
    if (progress)
      progress("starting node " + std::to_string(n.id) + " on " + defaults::host + ":" +
               std::to_string(n.client_port));
    spawn_node(rt, n.id);
  }
  if (progress) progress("waiting for " + std::to_string(spec_.nodes) + " broker(s) to register");
  await_brokers(spec_.nodes, scaled(90s));
  if (none_running) await_quorum_leader(epoch_before, scaled(30s));
  return true;
}

// A dead JVM's listening sockets can outlive it by a moment (seen for the metrics port under
// load), so a stop counts as done only once the node's ports are free for the next start.
void LocalCluster::await_node_ports_released(int id) const {
  auto released = [&] {
    for (auto port : node_ports(id))
      if (!port_free(port)) return false;
    return true;
  };
  await_until(released, scaled(std::chrono::seconds(10)), std::chrono::milliseconds(20));
}

void LocalCluster::stop_node(int id, std::chrono::milliseconds grace) {
  check_id(id);
  if (node_process(id).stop(grace)) await_node_ports_released(id);
}

void LocalCluster::kill_node(int id) {
  check_id(id);
  if (node_process(id).kill()) await_node_ports_released(id);
}

void LocalCluster::pause_node(int id) {
  check_id(id);
  pid_t pid = read_pid(id);
  if (!pid) return;
  kill(pid, SIGSTOP);
  // Paused must mean paused: a broker thread mid-request on the other core would otherwise
  // still answer it after this returns.
  if (!await_until([&] { return process_stopped(pid); }, scaled(std::chrono::seconds(10)),
                   std::chrono::milliseconds(5)))
    throw ClusterError("node " + std::to_string(id) + " (pid " + std::to_string(pid) +
                       ") did not stop after SIGSTOP");
}

void LocalCluster::resume_node(int id) {
  check_id(id);
  if (pid_t pid = read_pid(id)) kill(pid, SIGCONT);
}

void LocalCluster::start_node(int id) { start_nodes({id}); }

void LocalCluster::start_nodes(const std::vector<int>& ids) {
  std::vector<int> stopped;
  for (int id : ids) {
    check_id(id);
    if (!read_pid(id)) stopped.push_back(id);
  }
  if (stopped.empty()) return;
  auto rt = KafkaRuntime::locate(paths_);
  for (int id : stopped) check_node_ports_free(id);
  // All spawned before any wait: with every voter down, no single node can register alone.
  for (int id : stopped) spawn_node(rt, id);
  // The nodes just spawned count whatever nodes() says: until a child has exec'd it does not
  // look like a node yet, and a count without it would be reached at once.
  int running = static_cast<int>(stopped.size());
  for (auto& n : nodes())
    if (std::find(stopped.begin(), stopped.end(), n.id) == stopped.end())
      running += n.running && !n.paused;
  await_brokers(running, scaled(90s));
  // A node killed a moment ago is still registered until its broker session expires, so the
  // count above can be reached before the restarted node listens: wait until each one answers
  // a metadata request itself and already sees every running broker.
  for (int id : stopped) {
    auto own = std::string(defaults::host) + ':' + std::to_string(client_port(id));
    bool serving = await_until(
        [&] {
          check_alive_or_throw(id);
          // A fresh client knows only `own`, so the answer comes from that node.
          auto own_probe = spec_.secure
                               ? std::string(defaults::host) + ':' +
                                     std::to_string(client_port(id) + defaults::mtls_port_offset)
                               : own;
          return BrokerProbe(own_probe, probe_properties()).broker_count(2s) >= running;
        },
        scaled(90s), 200ms);
    if (!serving)
      throw ClusterError("node " + std::to_string(id) + " did not serve requests within " +
                         std::to_string(scaled(90s).count() / 1000) + " s: see " +
                         log_file(id).string());
  }
}

void LocalCluster::restart_node(int id) {
  stop_node(id);
  start_node(id);
}

int LocalCluster::down(std::chrono::milliseconds grace) {
  // Every node is told first and waited for afterwards: they shut down side by side.
  std::vector<std::pair<ManagedProcess, pid_t>> stopping;
  for (int id = 1; id <= spec_.nodes; ++id) {
    auto process = node_process(id);
    pid_t pid = process.request_stop();
    stopping.emplace_back(std::move(process), pid);
  }
  int stopped = 0;
  auto deadline = std::chrono::steady_clock::now() + grace;
  for (auto& [process, pid] : stopping) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    process.await_stopped(pid, std::max(left, std::chrono::milliseconds(0)));
    stopped += pid != 0;
  }
  for (int id = 1; id <= spec_.nodes; ++id)
    if (stopping[id - 1].second) await_node_ports_released(id);
  return stopped;
}

SecurityMaterial LocalCluster::security() const {
  if (!spec_.secure)
    throw ClusterError(
        "this lab runs without security: start a secured one with "
        "`klab reset --yes && klab up --secure`");
  return SecurityMaterial::ensure(spec_.security_dir);
}

Properties LocalCluster::client_properties(const std::string& user, SecureListener listener) const {
  if (!spec_.secure) return {{"bootstrap.servers", bootstrap()}};
  return klab::cluster::client_properties(
      security(), user, listener, secure_bootstrap(listener, spec_.nodes, spec_.first_client_port));
}

std::string LocalCluster::probe_bootstrap() const {
  return spec_.secure ? secure_bootstrap(SecureListener::mtls, spec_.nodes, spec_.first_client_port)
                      : bootstrap();
}

Properties LocalCluster::probe_properties() const {
  if (!spec_.secure) return {};
  // mTLS, not SCRAM: librdkafka before 2.6.1 repeats the client nonce in its SCRAM final
  // message, which Kafka 4 refuses (librdkafka #4895); a certificate works with every version.
  auto p = client_properties("admin", SecureListener::mtls);
  p.erase("bootstrap.servers");
  return p;
}

void LocalCluster::reset() {
  if (any_running()) throw ClusterError("the lab is running: run `klab down` before `klab reset`");
  std::error_code ec;
  fs::remove_all(spec_.state_dir, ec);
  if (ec) throw ClusterError("cannot delete " + spec_.state_dir.string() + ": " + ec.message());
  cluster_id_.clear();
}

}  // namespace klab::cluster
