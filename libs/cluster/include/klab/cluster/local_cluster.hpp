#pragma once
// The lab's own Apache Kafka cluster: KRaft nodes (broker + controller in one JVM each) on
// loopback, formatted and started from the jars in .klab/kafka/libs. One launcher for the CLI
// and the test harness alike.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "klab/cluster/cluster_spec.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/secure_listeners.hpp"

namespace klab::cluster {

/// Progress lines for long work ("formatting node 2", "waiting for 3 brokers").
using Progress = std::function<void(const std::string&)>;

struct NodeStatus {
  int id = 0;
  std::uint16_t client_port = 0;
  std::uint16_t controller_port = 0;
  std::uint16_t metrics_port = 0;  ///< the node's Prometheus JMX exporter (HTTP)
  pid_t pid = 0;                   ///< 0 when not running
  bool running = false;
  bool paused = false;
  /// Not running, though nobody stopped it (its pid file is still there): it crashed or was
  /// killed from outside; logs/stdout.log has its last words.
  bool died = false;
};

class LocalCluster {
 public:
  /// Binds to spec.state_dir. If the folder already holds a lab, its node count and ports win
  /// over the spec's unless they conflict (then up() throws, naming both).
  LocalCluster(LabPaths paths, ClusterSpec spec);

  /// Formats storage on first use, checks ports, starts every node that is not running and
  /// waits until every broker is registered and the KRaft quorum has a leader.
  /// Returns false (and starts nothing) when every node was already running.
  /// Throws ClusterError: a port in use (named), Java or jars missing, a node that dies during
  /// start-up (with the tail of its log), or not ready within the timeout.
  bool up(const Progress& progress = {});

  /// Stops every node: SIGTERM, then SIGKILL after `grace`. Returns how many were running.
  int down(std::chrono::milliseconds grace = std::chrono::seconds(30));

  /// Deletes all data and logs. Throws ClusterError while any node runs.
  void reset();

  // Fault controls for lessons and tests (node ids are 1-based).
  void stop_node(int id, std::chrono::milliseconds grace = std::chrono::seconds(30));
  void kill_node(int id);    ///< SIGKILL: a crash, no controlled shutdown
  void pause_node(int id);   ///< SIGSTOP: alive but silent (a GC pause or a partition)
  void resume_node(int id);  ///< SIGCONT
  void start_node(int id);   ///< starts one stopped node and waits for it to register
  /// Starts several stopped nodes at once and waits for all of them: needed when the controller
  /// quorum is down and no single node can register by itself.
  void start_nodes(const std::vector<int>& ids);
  void restart_node(int id);
  /// Broker properties for node `id` alone, applied from its next start on (after the
  /// cluster's own, so they win) until replaced; empty removes them. Kept in the node's folder:
  /// a drill's change survives `klab down` / `klab up` until the drill ends.
  /// Errors: ClusterError for an unknown node or a file that cannot be written.
  void set_node_overrides(int id, const std::map<std::string, std::string>& properties);
  std::map<std::string, std::string> node_overrides(int id) const;  ///< Errors: none
  /// The Kafka jars node `id` runs from its next start on (and formats with, before the first
  /// start): a folder such as paths.kafka_previous_libs, or nullopt for the lab's own
  /// (paths.kafka_libs). Kept in the node's folder: a rolling upgrade or rollback is one node
  /// at a time. Errors: ClusterError for an unknown node or a folder without Kafka's jars.
  void set_node_kafka_libs(int id, const std::optional<std::filesystem::path>& libs);
  /// The Kafka version node `id` runs (or will run) with. Errors: ClusterError as
  /// KafkaRuntime::locate.
  std::string node_kafka_version(int id) const;

  /// Waits until all running nodes' brokers are registered (throws ClusterError on timeout).
  void await_brokers(int expected, std::chrono::milliseconds timeout);

  std::string bootstrap() const;  ///< "127.0.0.1:9092,127.0.0.1:9093,..."
  std::string node_bootstrap(int id) const;
  /// A plaintext lab's brokers as advertised behind a TCP fault proxy (see FaultProxy):
  /// "127.0.0.1:<client port + 50>,...". Reachable only while the proxy runs.
  std::string proxied_bootstrap() const;
  /// Node `id`'s VIA_PROXY listener (what the proxy forwards to) and the proxy port that
  /// advertises it; the proxy's HTTP API port (one per lab).
  std::uint16_t via_proxy_port(int id) const;
  std::uint16_t fault_proxy_port(int id) const;
  std::uint16_t fault_proxy_api_port() const;
  /// The node's broker metrics: "http://127.0.0.1:<client port + 200>/metrics".
  std::string metrics_url(int id) const;
  int node_count() const { return spec_.nodes; }
  /// True for a lab started with `klab up --secure` (SASL/SCRAM, TLS, mTLS, ACLs).
  bool secure() const { return spec_.secure; }
  /// The secured lab's keys, certificates and passwords (created on first use).
  /// Throws ClusterError for a plaintext lab.
  SecurityMaterial security() const;
  /// Client properties for `user` on one of the secured listeners, bootstrap included; for a
  /// plaintext lab only bootstrap.servers. Throws ClusterError as security().
  Properties client_properties(const std::string& user = "admin",
                               SecureListener listener = SecureListener::sasl_plaintext) const;
  bool formatted() const;
  bool any_running() const;
  bool all_running() const;
  std::vector<NodeStatus> nodes() const;
  std::filesystem::path node_dir(int id) const;
  std::filesystem::path log_file(int id) const;  ///< the node's server.log
  const std::filesystem::path& state_dir() const { return spec_.state_dir; }
  const std::string& cluster_id() const { return cluster_id_; }
  /// The version of the jars this cluster runs (throws ClusterError if they are missing).
  std::string kafka_version() const;

 private:
  void load_state();
  void save_state() const;
  void format(const KafkaRuntime& rt, const Progress& progress);
  void write_node_config(int id) const;
  std::filesystem::path node_overrides_file(int id) const;
  KafkaRuntime runtime_for(int id) const;
  void spawn_node(const KafkaRuntime& rt, int id);
  void check_ports_free() const;
  void check_alive_or_throw(int id) const;
  void await_quorum_leader(long previous_epoch, std::chrono::milliseconds timeout) const;
  long max_leader_epoch() const;
  ManagedProcess node_process(int id) const;
  pid_t read_pid(int id) const;
  void check_id(int id) const;
  std::uint16_t client_port(int id) const { return spec_.first_client_port + id - 1; }
  std::uint16_t controller_port(int id) const;
  std::uint16_t metrics_port(int id) const;
  std::vector<std::uint16_t> node_ports(int id) const;  ///< every port node `id` listens on
  /// What the lab's own probes connect with: the admin's certificate (mTLS) when secured.
  Properties probe_properties() const;
  std::string probe_bootstrap() const;
  /// Throws ClusterError naming the first of the node's ports that something else holds.
  void await_node_ports_released(int id) const;
  void check_node_ports_free(int id) const;

  LabPaths paths_;
  ClusterSpec spec_;
  std::string cluster_id_;
};

}  // namespace klab::cluster
