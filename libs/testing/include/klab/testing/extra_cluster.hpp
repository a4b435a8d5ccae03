#pragma once
// A second real cluster, beside the binary's own: the target of a replication, the fresh lab a
// backup is restored into, an "external" cluster. Started like the test cluster (light JVM,
// dies with the test process, a fresh port block, a retry if a port is taken meanwhile) and
// removed with its files when it goes out of scope.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/cluster/local_cluster.hpp"

namespace klab::testing {

class ExtraCluster {
 public:
  struct Options {
    int nodes = 1;
    std::map<std::string, std::string> broker_properties;
    /// Every node's Kafka jars (e.g. LabPaths::kafka_previous_libs); empty: the lab's own.
    std::optional<std::filesystem::path> kafka_libs;
  };
  /// Formats and starts the cluster. Errors: ClusterError from LocalCluster::up().
  explicit ExtraCluster(Options options);
  ExtraCluster() : ExtraCluster(Options{}) {}
  ~ExtraCluster();
  ExtraCluster(const ExtraCluster&) = delete;
  ExtraCluster& operator=(const ExtraCluster&) = delete;

  klab::cluster::LocalCluster& local() { return *local_; }
  std::string bootstrap() const { return local_->bootstrap(); }
  /// bootstrap.servers of this cluster (plaintext).
  klab::client::Config client_config() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<klab::cluster::LocalCluster> local_;
};

}  // namespace klab::testing
