#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "klab/cluster/defaults.hpp"

namespace klab::cluster {

/// What to start: how many combined broker+controller nodes, on which ports, where.
struct ClusterSpec {
  int nodes = defaults::nodes;  ///< 1 or 3
  std::uint16_t first_client_port = defaults::first_client_port;
  std::filesystem::path state_dir;  ///< node data and logs; survives down/up
  /// Broker properties appended after the template (later keys win in Kafka's loader).
  std::map<std::string, std::string> broker_properties;
  int heap_mb = 0;  ///< 0: sized for a 2-core machine by node count
  /// Nodes die with the process that started them (test clusters); the CLI's nodes do not.
  bool die_with_parent = false;
  /// C1-only JIT and the serial GC: about 45% less CPU to start a node (3.3 s instead of 6.1 s
  /// on the 2-core reference machine) at the price of peak throughput. Test clusters use it;
  /// `klab up` keeps the full JIT, so benchmarks measure a normally tuned broker.
  bool light_jvm = false;
  /// More JVM flags after the lab's own (HotSpot: a later flag wins, e.g. -XX:MaxGCPauseMillis).
  std::vector<std::string> jvm_flags;
  /// SASL/SCRAM, TLS and mTLS listeners with StandardAuthorizer (see secure_listeners.hpp)
  /// instead of one PLAINTEXT listener. Kept in the lab's state: a lab is one or the other.
  bool secure = false;
  /// Keys, certificates and passwords of a secured lab; empty: LabPaths::security_dir.
  std::filesystem::path security_dir;
};

}  // namespace klab::cluster
