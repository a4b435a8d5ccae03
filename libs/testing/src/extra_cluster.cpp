#include "klab/testing/extra_cluster.hpp"

#include <stdlib.h>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/ports.hpp"

namespace klab::testing {

ExtraCluster::ExtraCluster(Options options) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/klab-extra-XXXXXX";
  if (!mkdtemp(pattern.data()))
    throw klab::cluster::ClusterError("cannot create a folder for a second cluster");
  dir_ = pattern;
  auto paths = klab::cluster::LabPaths::discover();
  for (int attempt = 1;; ++attempt) {
    auto port = klab::cluster::find_free_port_block(options.nodes);
    if (!port) throw klab::cluster::ClusterError("no free block of loopback ports");
    klab::cluster::ClusterSpec spec;
    spec.nodes = options.nodes;
    spec.first_client_port = *port;
    spec.state_dir = dir_ / ("cluster-" + std::to_string(attempt));
    spec.broker_properties = options.broker_properties;
    spec.die_with_parent = true;
    spec.light_jvm = true;
    local_ = std::make_unique<klab::cluster::LocalCluster>(paths, spec);
    if (options.kafka_libs)
      for (int id = 1; id <= options.nodes; ++id)
        local_->set_node_kafka_libs(id, options.kafka_libs);
    try {
      local_->up();
      return;
    } catch (const klab::cluster::ClusterError& e) {
      // Another binary may bind our block between the check and the start.
      if (e.details().find("Address already in use") == std::string::npos || attempt == 3) throw;
      local_->down(std::chrono::seconds(10));
    }
  }
}

ExtraCluster::~ExtraCluster() {
  try {
    if (local_) local_->down(std::chrono::seconds(10));
  } catch (...) {
    // a destructor in a failing test: leave the folder for the logs
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

klab::client::Config ExtraCluster::client_config() const {
  klab::client::Config config;
  config.bootstrap_servers(local_->bootstrap());
  return config;
}

}  // namespace klab::testing
