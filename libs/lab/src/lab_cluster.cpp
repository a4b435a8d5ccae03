#include "klab/lab/lab_cluster.hpp"

#include <cstdlib>
#include <string_view>

namespace klab::lab {

klab::cluster::LocalCluster lab_cluster(const klab::cluster::LabPaths& paths, int nodes, int port,
                                        bool secure) {
  klab::cluster::ClusterSpec spec;
  spec.secure = secure;
  spec.nodes = nodes;
  spec.first_client_port = static_cast<std::uint16_t>(port);
  spec.state_dir = paths.state_dir;
  const char* light = std::getenv("KLAB_LIGHT_JVM");
  spec.light_jvm = light && std::string_view(light) == "1";
  return klab::cluster::LocalCluster(paths, spec);
}

}  // namespace klab::lab
