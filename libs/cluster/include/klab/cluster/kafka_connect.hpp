#pragma once
// A Kafka Connect worker in distributed mode (Kafka's own connect-runtime of the pinned version,
// fetched by scripts/setup with its connector plug-ins), configured and driven over its REST API:
// connectors are created, inspected, restarted and deleted as a user would with curl.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/managed_process.hpp"

namespace klab::cluster {

struct ConnectSpec {
  std::string bootstrap;
  std::filesystem::path dir;  ///< worker.properties, connect.log, the pid file
  std::uint16_t rest_port = 8083;
  std::string group_id = "klab-connect";
  /// Replicas of the worker's config, offset and status topics (1 on a one-node lab).
  int replication_factor = 1;
  /// More worker properties (after the lab's, so they win).
  std::map<std::string, std::string> properties;
};

struct ConnectorStatus {
  std::string state;  ///< "RUNNING", "FAILED", "PAUSED", "UNASSIGNED"; "" when unknown
  std::vector<std::string> task_states;
  std::string trace;     ///< the first failure's stack trace, if any
  bool running() const;  ///< the connector and at least one task, all RUNNING
};

class KafkaConnect {
 public:
  KafkaConnect(const LabPaths& paths, ConnectSpec spec);
  /// Writes worker.properties, starts the JVM and waits until the REST API answers with the
  /// plug-ins loaded. Errors: ClusterError when Connect is not installed (naming scripts/setup),
  /// the port is taken, or the worker does not come up (naming its log).
  void start(bool die_with_parent = false);
  bool stop();  ///< Graceful. Errors: none. Returns whether it ran.
  bool kill();  ///< SIGKILL, a crashed worker. Errors: none.
  bool running() const { return process_.running(); }
  std::string url() const;  ///< "http://127.0.0.1:<rest_port>"

  /// Creates or updates a connector (PUT /connectors/<name>/config).
  /// Errors: ClusterError with the worker's answer (e.g. a config the connector refuses).
  void put_connector(const std::string& name, const std::map<std::string, std::string>& config);
  /// GET /connectors/<name>/status; state "" when the worker does not know it. Errors: none.
  ConnectorStatus status(const std::string& name) const;
  /// Waits until status(name).running(). Errors: ClusterError with the last status and trace.
  void await_running(const std::string& name, std::chrono::milliseconds timeout);
  /// The source offsets the worker has committed for a connector (GET
  /// /connectors/<name>/offsets, Kafka 3.6+), as the JSON text it answers; "" when it cannot.
  /// Errors: none.
  std::string offsets(const std::string& name) const;
  /// DELETE /connectors/<name>. Errors: ClusterError unless it is gone (404 counts as gone).
  void delete_connector(const std::string& name);
  /// The connector class names the worker loaded (GET /connector-plugins). Errors: none.
  std::vector<std::string> plugins() const;
  std::filesystem::path log_file() const { return spec_.dir / "connect.log"; }

 private:
  LabPaths paths_;
  ConnectSpec spec_;
  ManagedProcess process_;
};

}  // namespace klab::cluster
