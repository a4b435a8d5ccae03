#include "klab/cluster/lab_paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "klab/cluster/cluster_error.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;

namespace {
std::optional<fs::path> find_root_above(fs::path start) {
  std::error_code ec;
  for (fs::path p = start; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / "kafka" / "pom.xml", ec)) return p;
    if (p == p.parent_path()) break;
  }
  return std::nullopt;
}

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path{} : p.parent_path();
}
}  // namespace

LabPaths LabPaths::at(const fs::path& home) {
  LabPaths p;
  p.home = fs::absolute(home).lexically_normal();
  p.kafka_libs = p.home / ".klab" / "kafka" / "libs";
  p.kafka_previous_libs = p.home / ".klab" / "kafka-previous" / "libs";
  p.registry_app = p.home / ".klab" / "registry" / "app";
  p.connect_libs = p.home / ".klab" / "connect" / "libs";
  p.connect_plugins = p.home / ".klab" / "connect" / "plugins";
  p.config_dir = p.home / "kafka" / "config";
  p.state_dir = p.home / ".klab" / "state" / "cluster";
  // A second lab beside the default one (the CLI's own tests use this).
  const char* state = std::getenv("KLAB_STATE_DIR");
  bool own_state = state && *state;
  if (own_state) p.state_dir = state;
  p.console_dir = p.state_dir.parent_path() / "console";
  p.security_dir =
      own_state ? p.state_dir.parent_path() / "security" : p.home / ".klab" / "security";
  p.results_dir = p.home / ".klab" / "results";
  p.roadmap_file = p.home / "roadmap.json";
  p.tools_bin = p.home / ".klab" / "tools" / "bin";
  return p;
}

LabPaths LabPaths::discover() {
  if (const char* env = std::getenv("KLAB_HOME"); env && *env) {
    if (!fs::exists(fs::path(env) / "kafka" / "pom.xml"))
      throw ClusterError(
          std::string("KLAB_HOME=") + env +
          " is not a Kafka Lab checkout (no kafka/pom.xml): unset it or fix the path");
    return at(env);
  }
  if (auto root = find_root_above(self_exe())) return at(*root);
  if (auto root = find_root_above(fs::current_path())) return at(*root);
  throw ClusterError(
      "cannot find the Kafka Lab checkout (kafka/pom.xml): run klab from inside it or set "
      "KLAB_HOME");
}

}  // namespace klab::cluster
