#pragma once
// MirrorMaker 2 in dedicated mode (Kafka's org.apache.kafka.connect.mirror.MirrorMaker), from
// the older Kafka scripts/setup fetches (kafka/previous/pom.xml says why): replicates topics
// from a source cluster to a target one as "<source alias>.<topic>", with checkpoints and
// consumer group offsets translated and synced to the target.
#include <filesystem>
#include <map>
#include <string>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/managed_process.hpp"

namespace klab::cluster {

struct MirrorMakerSpec {
  std::string source_alias = "primary";
  std::string target_alias = "backup";
  std::string source_bootstrap;
  std::string target_bootstrap;
  std::string topics = ".*";  ///< regular expression of the topics to replicate
  std::string groups = ".*";  ///< regular expression of the groups whose offsets are synced
  /// More mm2.properties entries (after the lab's, so they win).
  std::map<std::string, std::string> properties;
  std::filesystem::path dir;  ///< mm2.properties, the pid file and mirror-maker.log
};

class MirrorMaker {
 public:
  MirrorMaker(const LabPaths& paths, MirrorMakerSpec spec);
  /// The mm2.properties this instance runs with (written by start()). Errors: none.
  std::string properties_text() const;
  /// Writes mm2.properties and starts the JVM; returns once the process runs (replication
  /// starts some seconds later: watch the target). `die_with_parent`: ends with the caller.
  /// Errors: ClusterError when the jars are missing (naming scripts/setup) or java fails.
  void start(bool die_with_parent = false);
  bool stop();  ///< Errors: none. Returns whether it ran.
  bool running() const { return process_.running(); }
  /// The name a source topic has on the target: "<source alias>.<topic>". Errors: none.
  std::string remote_topic(const std::string& topic) const;
  std::filesystem::path log_file() const { return spec_.dir / "mirror-maker.log"; }

 private:
  LabPaths paths_;
  MirrorMakerSpec spec_;
  ManagedProcess process_;
};

}  // namespace klab::cluster
