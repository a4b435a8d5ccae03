#pragma once
// The lab's schema registry (8.1.2): Apicurio Registry as scripts/setup installs it
// (kafka/registry/pom.xml), in-memory storage, on loopback, with the Confluent-compatible API
// that serializers speak at <url>/apis/ccompat/v7.
#include <cstdint>
#include <filesystem>
#include <string>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/managed_process.hpp"

namespace klab::cluster {

class SchemaRegistry {
 public:
  /// A registry on 127.0.0.1:`port`; its pid file and log go to `dir`.
  SchemaRegistry(const LabPaths& paths, std::uint16_t port, std::filesystem::path dir);
  /// Starts it (unless it runs) and waits until its API answers.
  /// Errors: ClusterError when it is not installed (naming scripts/setup), the port is taken,
  /// or it does not answer in time (naming its log).
  void start(bool die_with_parent = false);
  bool stop();  ///< Errors: none. Returns whether it ran.
  bool running() const { return process_.running(); }
  /// "http://127.0.0.1:8085": the base of both Apicurio's own API and /apis/ccompat/v7.
  std::string url() const;
  /// The Confluent-compatible API: url() + "/apis/ccompat/v7".
  std::string ccompat_url() const { return url() + "/apis/ccompat/v7"; }
  std::filesystem::path log_file() const { return dir_ / "registry.log"; }
  std::uint16_t port() const { return port_; }

 private:
  LabPaths paths_;
  std::uint16_t port_;
  std::filesystem::path dir_;
  ManagedProcess process_;
};

}  // namespace klab::cluster
