#include "klab/cluster/fault_proxy.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/ports.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {
std::string proxy_name(int id) { return "node-" + std::to_string(id); }
}  // namespace

FaultProxy::FaultProxy(const LabPaths& paths, const LocalCluster& cluster, fs::path dir)
    : paths_(paths),
      cluster_(cluster),
      dir_(std::move(dir)),
      process_(dir_ / "toxiproxy.pid", server_binary(paths).string()),
      api_port_(cluster.fault_proxy_api_port()) {}

fs::path FaultProxy::server_binary(const LabPaths& paths) {
  return paths.tools_bin / "toxiproxy-server";
}

bool FaultProxy::running() const { return process_.running(); }

std::string FaultProxy::api(const std::string& method, const std::string& path,
                            const std::string& body) const {
  httplib::Client client(defaults::host, api_port_);
  client.set_connection_timeout(5s);
  client.set_read_timeout(10s);
  httplib::Result res = method == "GET"      ? client.Get(path)
                        : method == "DELETE" ? client.Delete(path)
                                             : client.Post(path, body, "application/json");
  if (!res)
    throw ClusterError("the fault proxy's API (127.0.0.1:" + std::to_string(api_port_) +
                       ") did not answer " + method + " " + path + ": " +
                       httplib::to_string(res.error()) +
                       "; its log: " + (dir_ / "toxiproxy.log").string());
  if (res->status >= 300)
    throw ClusterError("the fault proxy refused " + method + " " + path + " (HTTP " +
                       std::to_string(res->status) + "): " + res->body);
  return res->body;
}

void FaultProxy::start(bool die_with_parent) {
  auto binary = server_binary(paths_);
  if (!fs::exists(binary))
    throw ClusterError(binary.string() +
                       " is missing: scripts/setup installs Toxiproxy (it needs the go command)");
  if (!running()) {
    if (!port_free(api_port_))
      throw ClusterError("port " + std::to_string(api_port_) +
                         " (the fault proxy's API) is already in use: stop what holds it "
                         "(`ss -ltnp 'sport = :" +
                         std::to_string(api_port_) + "'`)");
    fs::create_directories(dir_);
    process_.start({binary.string(), "-host", defaults::host, "-port", std::to_string(api_port_)},
                   {.log_file = dir_ / "toxiproxy.log", .die_with_parent = die_with_parent});
    // Until it has exec'd, the child shows our command line, not the marker.
    await_until([&] { return running(); }, scaled(5s), 20ms);
    bool up = await_until(
        [&] {
          try {
            api("GET", "/version");
            return true;
          } catch (const ClusterError&) {
            return !running();  // a server that died ends the wait
          }
        },
        scaled(20s), 100ms);
    if (!up || !running())
      throw ClusterError("the fault proxy did not start: see " + (dir_ / "toxiproxy.log").string());
  }
  // Nodes started before their template had the VIA_PROXY listener have nothing to forward to.
  for (int id = 1; id <= cluster_.node_count(); ++id)
    if (port_free(cluster_.via_proxy_port(id)))
      throw ClusterError("node " + std::to_string(id) + " does not listen on its VIA_PROXY port " +
                         std::to_string(cluster_.via_proxy_port(id)) +
                         " (it was started before the lab had one, or it is down): restart the "
                         "lab with `klab down` and `klab up`");
  // A clean slate: every proxy enabled, no toxics; then one per node, created if missing.
  api("POST", "/reset");
  auto existing = json::parse(api("GET", "/proxies"));
  for (int id = 1; id <= cluster_.node_count(); ++id) {
    if (existing.contains(proxy_name(id))) continue;
    if (!port_free(cluster_.fault_proxy_port(id)))
      throw ClusterError("port " + std::to_string(cluster_.fault_proxy_port(id)) + " (node " +
                         std::to_string(id) + " behind the fault proxy) is already in use");
    api("POST", "/proxies",
        json{{"name", proxy_name(id)},
             {"listen",
              std::string(defaults::host) + ':' + std::to_string(cluster_.fault_proxy_port(id))},
             {"upstream",
              std::string(defaults::host) + ':' + std::to_string(cluster_.via_proxy_port(id))},
             {"enabled", true}}
            .dump());
  }
}

bool FaultProxy::stop() { return process_.stop(5s); }

void FaultProxy::add_toxic(int id, const std::string& type, const std::string& attributes) {
  // Both directions: what the client sends and what the broker answers.
  for (const char* stream : {"upstream", "downstream"})
    api("POST", "/proxies/" + proxy_name(id) + "/toxics",
        json{{"name", type + "-" + stream},
             {"type", type},
             {"stream", stream},
             {"toxicity", 1.0},
             {"attributes", json::parse(attributes)}}
            .dump());
}

void FaultProxy::add_latency(int id, std::chrono::milliseconds latency) {
  add_toxic(id, "latency", json{{"latency", latency.count()}, {"jitter", 0}}.dump());
}

void FaultProxy::limit_bandwidth(int id, int kb_per_s) {
  add_toxic(id, "bandwidth", json{{"rate", kb_per_s}}.dump());
}

void FaultProxy::black_hole(int id) {
  // Toxiproxy's "timeout" toxic with timeout 0 drops the data and never closes the connection.
  add_toxic(id, "timeout", R"({"timeout": 0})");
}

void FaultProxy::heal(int id) {
  auto toxics = json::parse(api("GET", "/proxies/" + proxy_name(id) + "/toxics"));
  for (const auto& t : toxics)
    api("DELETE", "/proxies/" + proxy_name(id) + "/toxics/" + t.at("name").get<std::string>());
}

}  // namespace klab::cluster
