#include "klab/lab/upgrade.hpp"

#include <fmt/core.h>

#include <regex>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {
using namespace std::chrono_literals;

std::string run_features(const klab::cluster::KafkaRuntime& runtime,
                         const klab::cluster::ClusterTarget& target,
                         const std::vector<std::string>& args) {
  std::vector<std::string> argv{"--bootstrap-server", target.bootstrap};
  if (target.properties_file) {
    argv.push_back("--command-config");
    argv.push_back(klab::cluster::java_command_config(*target.properties_file).string());
  }
  argv.insert(argv.end(), args.begin(), args.end());
  auto r =
      runtime.run_tool("org.apache.kafka.tools.FeatureCommand", argv, klab::cluster::scaled(60s));
  if (r.exit_code != 0)
    throw LabError(LabError::Kind::failed, fmt::format("kafka-features {} failed (exit {}): {}",
                                                       args.front(), r.exit_code, r.output));
  return r.output;
}

bool fully_replicated(klab::client::Admin& admin) {
  try {
    auto topics = admin.describe_topics(admin.list_topics(true, 10s), 10s);
    for (const auto& t : topics) {
      if (t.error) return false;
      for (const auto& p : t.partitions)
        if (p.leader < 0 || p.isr.size() < p.replicas.size()) return false;
    }
    return true;
  } catch (const klab::KafkaException&) {
    return false;  // a broker restarting a moment ago
  }
}

}  // namespace

std::string finalized_metadata_version(const klab::cluster::KafkaRuntime& runtime,
                                       const klab::cluster::ClusterTarget& target) {
  auto text = run_features(runtime, target, {"describe"});
  static const std::regex re(R"(Feature:\s*metadata\.version\s.*FinalizedVersionLevel:\s*(\S+))");
  std::smatch m;
  if (!std::regex_search(text, m, re))
    throw LabError(LabError::Kind::failed, "kafka-features printed no metadata.version: " + text);
  return m[1].str();
}

void roll_node(klab::cluster::LocalCluster& lab, int id,
               const std::optional<std::filesystem::path>& libs,
               const klab::client::Config& admin_config, std::chrono::milliseconds timeout,
               const klab::cluster::Progress& progress) {
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  say(fmt::format("node {}: controlled shutdown (its leaders move to the other nodes)", id));
  lab.stop_node(id);
  lab.set_node_kafka_libs(id, libs);
  say(fmt::format("node {}: starting on Kafka {}", id, lab.node_kafka_version(id)));
  lab.start_node(id);
  say(fmt::format("node {}: waiting until every partition is fully in sync again", id));
  klab::client::Admin admin(admin_config);
  if (!klab::cluster::await_until([&] { return fully_replicated(admin); }, timeout, 500ms))
    throw LabError(LabError::Kind::failed,
                   fmt::format("node {} is back but some partitions are still under-replicated "
                               "after {} s: `klab doctor` names them",
                               id, timeout.count() / 1000));
}

void finalize_upgrade(const klab::cluster::KafkaRuntime& runtime,
                      const klab::cluster::ClusterTarget& target) {
  run_features(runtime, target,
               {"upgrade", "--release-version", release_of(runtime.kafka_version())});
}

std::string release_of(const std::string& kafka_version) {
  auto first = kafka_version.find('.');
  auto second = kafka_version.find('.', first == std::string::npos ? 0 : first + 1);
  return second == std::string::npos ? kafka_version : kafka_version.substr(0, second);
}

}  // namespace klab::lab
