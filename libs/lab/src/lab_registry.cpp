#include "klab/lab/lab_registry.hpp"

#include <cstdlib>
#include <fstream>

namespace klab::lab {
namespace {

std::filesystem::path registry_dir(const klab::cluster::LabPaths& paths) {
  return paths.state_dir.parent_path() / "registry";
}

}  // namespace

std::optional<klab::cluster::SchemaRegistry> lab_registry(const klab::cluster::LabPaths& paths) {
  std::ifstream in(registry_dir(paths) / "port");
  int port = 0;
  if (!(in >> port) || port <= 0 || port > 65535) return std::nullopt;
  return klab::cluster::SchemaRegistry(paths, static_cast<std::uint16_t>(port),
                                       registry_dir(paths));
}

klab::cluster::SchemaRegistry start_lab_registry(const klab::cluster::LabPaths& paths,
                                                 std::uint16_t port) {
  if (port == 0) {
    auto known = lab_registry(paths);
    port = known ? known->port() : default_registry_port;
  }
  if (auto known = lab_registry(paths); known && known->port() != port) known->stop();
  klab::cluster::SchemaRegistry registry(paths, port, registry_dir(paths));
  registry.start();
  std::filesystem::create_directories(registry_dir(paths));
  std::ofstream(registry_dir(paths) / "port") << port << '\n';
  return registry;
}

std::string registry_url(const klab::cluster::LabPaths& paths) {
  if (const char* url = std::getenv("KLAB_REGISTRY_URL"); url && *url) return url;
  if (auto registry = lab_registry(paths); registry && registry->running())
    return registry->ccompat_url();
  return "";
}

}  // namespace klab::lab
