#include "klab/cluster/target.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/defaults.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;

std::string ClusterTarget::describe() const {
  return bootstrap + (external ? " (KLAB_BOOTSTRAP)" : " (the lab's own cluster)") +
         (properties_file ? ", client properties " + properties_file->string() : "");
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
  bool secure = false;
  std::ifstream in(paths.state_dir / "lab.json");
  if (in) {
    try {
      auto j = nlohmann::json::parse(in);
      t.bootstrap = j.value("bootstrap", "");
      secure = j.value("secure", false);
    } catch (...) {
    }
  }
  if (t.bootstrap.empty()) t.bootstrap = defaults::bootstrap_for(defaults::nodes);
  // On a secured lab the operator is its admin unless KLAB_CLIENT_PROPERTIES says who else.
  // mTLS: Debian's librdkafka 2.0.2 cannot log in to Kafka 4 with SCRAM (see LocalCluster).
  if (auto admin = paths.security_dir / "admin-mtls.properties";
      secure && !t.properties_file && fs::exists(admin))
    t.properties_file = admin;
  // A properties file for another listener (e.g. alice-mtls.properties) carries its address.
  if (t.properties_file)
    if (auto servers =
            klab::client::Config::from_properties_file(*t.properties_file).get("bootstrap.servers"))
      t.bootstrap = *servers;
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
