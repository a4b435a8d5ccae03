#pragma once
// The Java runtime and the Apache Kafka jars the lab runs on.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {

class KafkaRuntime {
 public:
  /// Finds java ($JAVA_HOME/bin/java, else PATH) and the jars under paths.kafka_libs.
  /// Throws ClusterError naming what is missing and how to install it.
  static KafkaRuntime locate(const LabPaths& paths);
  /// The same with the jars of `libs` (another Kafka version, e.g. paths.kafka_previous_libs).
  static KafkaRuntime locate(const LabPaths& paths, const std::filesystem::path& libs);

  const std::string& java() const { return java_; }
  /// The classpath: every jar in the libs folder.
  std::string classpath() const { return (libs_ / "*").string(); }
  /// The Kafka version of the jars, read from kafka-clients-<version>.jar.
  const std::string& kafka_version() const { return version_; }
  /// The Prometheus JMX exporter agent (jmx_prometheus_javaagent-<version>.jar in the libs
  /// folder, see kafka/pom.xml). Throws ClusterError saying to run scripts/setup if missing.
  std::filesystem::path jmx_agent_jar() const;

  /// Runs one of Kafka's own command-line tools by its main class, e.g.
  /// org.apache.kafka.tools.MetadataQuorumCommand. Throws ClusterError if java cannot start.
  CommandResult run_tool(const std::string& main_class, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout) const;

  /// JVM flags shared by tools: small heap, fast start (tools are short-lived).
  static std::vector<std::string> tool_jvm_flags();

 private:
  std::string java_;
  std::filesystem::path libs_;
  std::filesystem::path config_dir_;
  std::string version_;
};

}  // namespace klab::cluster
