#include "klab/cluster/target.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/defaults.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;

std::string ClusterTarget::describe() const {
  return bootstrap + (external ? " (KLAB_BOOTSTRAP)" : " (the lab's own cluster)");
}

ClusterTarget resolve_target(const LabPaths& paths) {
  ClusterTarget t;
  if (const char* props = std::getenv("KLAB_CLIENT_PROPERTIES"); props && *props) {
    if (!fs::exists(props))
      throw ClusterError(std::string("KLAB_CLIENT_PROPERTIES=") + props +
                         " does not exist: point it at a client properties file or unset it");
    t.properties_file = fs::path(props);
  }
  if (const char* env = std::getenv("KLAB_BOOTSTRAP"); env && *env) {
    t.bootstrap = env;
    t.external = true;
    return t;
  }
  // The lab records its address when it is created; before that the defaults apply.
  std::ifstream in(paths.state_dir / "lab.json");
  if (in) {
    try {
      auto j = nlohmann::json::parse(in);
      t.bootstrap = j.value("bootstrap", "");
    } catch (...) {
    }
  }
  if (t.bootstrap.empty()) t.bootstrap = defaults::bootstrap_for(defaults::nodes);
  return t;
}

klab::client::Config client_config(const ClusterTarget& target) {
  klab::client::Config c;
  if (target.properties_file)
    c = klab::client::Config::from_properties_file(target.properties_file->string());
  c.bootstrap_servers(target.bootstrap);
  return c;
}

}  // namespace klab::cluster
