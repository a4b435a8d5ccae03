#pragma once
// The one set of paths the lab uses; every command, the console and the tests take them here.
#include <filesystem>

namespace klab::cluster {

/// Where the lab's files are. The home is the repository root: $KLAB_HOME if set, else the
/// first parent of the running executable (then of the working directory) holding kafka/pom.xml.
struct LabPaths {
  std::filesystem::path home;        ///< repository root
  std::filesystem::path kafka_libs;  ///< .klab/kafka/libs: jars copied by scripts/setup
  /// .klab/kafka-previous/libs: the older Kafka of kafka/previous/pom.xml (upgrade lesson,
  /// MirrorMaker 2)
  std::filesystem::path kafka_previous_libs;
  std::filesystem::path connect_libs;     ///< .klab/connect/libs: the Kafka Connect worker
  std::filesystem::path connect_plugins;  ///< .klab/connect/plugins: one folder per connector
  std::filesystem::path registry_app;  ///< .klab/registry/app: the Apicurio schema registry (8.1.2)
  std::filesystem::path config_dir;    ///< kafka/config: node template, log4j2 config
  std::filesystem::path state_dir;     ///< .klab/state/cluster: node data and logs of `klab up`
                                       ///< ($KLAB_STATE_DIR for a second lab beside it)
  std::filesystem::path security_dir;  ///< .klab/security: CA, certificates, SCRAM passwords,
                                       ///< client properties of the secured lab
  std::filesystem::path console_dir;  ///< beside state_dir: the background console's pid, port, log
  std::filesystem::path results_dir;  ///< .klab/results: every test binary's GoogleTest JSON report
  std::filesystem::path roadmap_file;  ///< roadmap.json: each roadmap item and its tests
  std::filesystem::path tools_bin;     ///< .klab/tools/bin: programs scripts/setup installs
                                       ///< (toxiproxy-server)

  /// Throws ClusterError when no repository root can be found.
  static LabPaths discover();
  static LabPaths at(const std::filesystem::path& home);
};

}  // namespace klab::cluster
