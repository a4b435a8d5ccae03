#pragma once
// The one resolver every client goes through: KLAB_BOOTSTRAP (+ KLAB_CLIENT_PROPERTIES, a
// client properties file for security settings) when set, else the lab's own cluster.
#include <filesystem>
#include <optional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/cluster/lab_paths.hpp"

namespace klab::cluster {

struct ClusterTarget {
  std::string bootstrap;
  /// librdkafka-style client properties (security.protocol, sasl.*, ssl.*) to apply to every
  /// client; Kafka's Java tools get the same file through --command-config.
  std::optional<std::filesystem::path> properties_file;
  bool external = false;  ///< true when it came from KLAB_BOOTSTRAP
  std::string describe()
      const;  ///< "127.0.0.1:9092 (the lab's own cluster)[, client properties F]"
};

/// On a secured lab without KLAB_CLIENT_PROPERTIES the lab's admin-mtls.properties applies. A
/// properties file's bootstrap.servers wins over the lab's address (not over KLAB_BOOTSTRAP).
/// Throws ClusterError when KLAB_CLIENT_PROPERTIES names a file that does not exist.
ClusterTarget resolve_target(const LabPaths& paths);

/// A client Config with bootstrap.servers and the properties file applied.
klab::client::Config client_config(const ClusterTarget& target);

}  // namespace klab::cluster
