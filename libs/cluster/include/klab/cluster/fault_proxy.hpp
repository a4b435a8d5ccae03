#pragma once
// A real TCP fault proxy between clients and the lab's brokers: Toxiproxy (installed by
// scripts/setup), one proxy per node on the port the node advertises for its VIA_PROXY listener
// (see defaults.hpp). Clients that bootstrap at LocalCluster::proxied_bootstrap() then reach
// every broker through it, and latency or a black hole can be put before one broker while the
// brokers still talk to each other and to the controllers directly.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/managed_process.hpp"

namespace klab::cluster {

class FaultProxy {
 public:
  /// The proxy for `cluster`'s nodes; its pid file and log go to `dir`.
  FaultProxy(const LabPaths& paths, const LocalCluster& cluster, std::filesystem::path dir);

  /// toxiproxy-server as scripts/setup installs it. Errors: none.
  static std::filesystem::path server_binary(const LabPaths& paths);

  /// Starts toxiproxy-server (unless it runs) and (re)creates one proxy per node, named
  /// "node-<id>", with no toxics. Errors: ClusterError when the binary is missing (naming
  /// scripts/setup), a port is taken, or the server does not answer in time.
  /// `die_with_parent`: the server ends with the calling process (test clusters).
  void start(bool die_with_parent = false);
  /// Stops the server (its proxies go with it). Returns whether it ran. Errors: none.
  bool stop();
  bool running() const;

  /// Every byte to and from node `id` waits `latency` more (each direction).
  /// Errors: ClusterError from the proxy's API.
  void add_latency(int id, std::chrono::milliseconds latency);
  /// At most `kb_per_s` KB/s to and from node `id` (each direction). Errors: as add_latency.
  void limit_bandwidth(int id, int kb_per_s);
  /// Node `id` answers nothing and closes nothing: what clients send is dropped, connections
  /// stay open (a firewall dropping packets, a dead NAT entry). Errors: as add_latency.
  void black_hole(int id);
  /// Node `id` reachable as before: its toxics removed. Errors: as add_latency.
  void heal(int id);

 private:
  std::string api(const std::string& method, const std::string& path,
                  const std::string& body = "") const;
  /// A toxic of `type` in both directions; `attributes` is its JSON attributes object.
  void add_toxic(int id, const std::string& type, const std::string& attributes);

  LabPaths paths_;
  const LocalCluster& cluster_;
  std::filesystem::path dir_;
  ManagedProcess process_;
  std::uint16_t api_port_;
};

}  // namespace klab::cluster
