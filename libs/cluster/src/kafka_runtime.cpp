#include "klab/cluster/kafka_runtime.hpp"

#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "klab/cluster/cluster_error.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string find_java() {
  if (const char* home = std::getenv("JAVA_HOME"); home && *home) {
    fs::path java = fs::path(home) / "bin" / "java";
    if (fs::exists(java)) return java.string();
  }
  if (const char* path = std::getenv("PATH")) {
    std::string p = path;
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      fs::path java = fs::path(p.substr(start, end - start)) / "java";
      if (access(java.c_str(), X_OK) == 0) return java.string();
      start = end + 1;
    }
  }
  throw ClusterError(
      "Java 17+ was not found (no $JAVA_HOME/bin/java, no java in PATH): run scripts/setup, "
      "or install openjdk-17-jre-headless");
}

int java_major(const std::string& java) {
  auto r = run_command({java, "-version"}, 20s);
  std::smatch m;
  static const std::regex re(R"(version \"(\d+)(?:\.(\d+))?)");
  if (!std::regex_search(r.output, m, re)) return 0;
  int major = std::stoi(m[1]);
  return major == 1 && m[2].matched ? std::stoi(m[2]) : major;  // "1.8" means 8
}

}  // namespace

KafkaRuntime KafkaRuntime::locate(const LabPaths& paths) { return locate(paths, paths.kafka_libs); }

KafkaRuntime KafkaRuntime::locate(const LabPaths& paths, const fs::path& libs) {
  KafkaRuntime rt;
  rt.java_ = find_java();
  rt.libs_ = libs;
  rt.config_dir_ = paths.config_dir;
  std::error_code ec;
  if (fs::is_directory(rt.libs_, ec)) {
    static const std::regex jar(R"(kafka-clients-(.+)\.jar)");
    for (const auto& e : fs::directory_iterator(rt.libs_, ec)) {
      std::smatch m;
      std::string name = e.path().filename().string();
      if (std::regex_match(name, m, jar)) rt.version_ = m[1];
    }
  }
  if (rt.version_.empty())
    throw ClusterError("the Apache Kafka jars are missing (" + rt.libs_.string() +
                       " has no kafka-clients jar): run scripts/setup to fetch them with Maven");
  if (int major = java_major(rt.java_); major < 17)
    throw ClusterError(
        rt.java_ + " is Java " + std::to_string(major) +
        ", Kafka 4 needs Java 17+: install openjdk-17-jre-headless or set JAVA_HOME");
  return rt;
}

fs::path KafkaRuntime::jmx_agent_jar() const {
  static const std::regex jar(R"(jmx_prometheus_javaagent-.+\.jar)");
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(libs_, ec))
    if (std::regex_match(e.path().filename().string(), jar)) return e.path();
  throw ClusterError("the Prometheus JMX exporter agent is missing (" + libs_.string() +
                     " has no jmx_prometheus_javaagent jar): run scripts/setup to fetch it");
}

std::vector<std::string> KafkaRuntime::tool_jvm_flags() {
  // Tools run for a second or two: a small heap and no JIT tiers beyond C1 start faster.
  return {"-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Djava.awt.headless=true"};
}

CommandResult KafkaRuntime::run_tool(const std::string& main_class,
                                     const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv{java_};
  for (auto& f : tool_jvm_flags()) argv.push_back(f);
  argv.push_back("-Dlog4j2.configurationFile=" +
                 (config_dir_ / "log4j2-tools.properties").string());
  argv.push_back("-cp");
  argv.push_back(classpath());
  argv.push_back(main_class);
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, timeout);
}

}  // namespace klab::cluster
