#include "klab/cluster/schema_registry.hpp"

#include <httplib.h>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/ports.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::optional<fs::path> runner_jar(const fs::path& app) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(app, ec))
    if (e.path().filename().string().ends_with("-runner.jar")) return e.path();
  return std::nullopt;
}

bool answers(std::uint16_t port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1s);
  client.set_read_timeout(2s);
  auto r = client.Get("/apis/ccompat/v7/subjects");
  return r && r->status == 200;
}

}  // namespace

SchemaRegistry::SchemaRegistry(const LabPaths& paths, std::uint16_t port, fs::path dir)
    : paths_(paths),
      port_(port),
      dir_(std::move(dir)),
      process_(dir_ / "registry.pid", "apicurio-registry-app") {}

std::string SchemaRegistry::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void SchemaRegistry::start(bool die_with_parent) {
  if (running()) return;
  auto jar = runner_jar(paths_.registry_app);
  if (!jar)
    throw ClusterError("the schema registry is not installed (" + paths_.registry_app.string() +
                       " has no Apicurio runner jar): run scripts/setup");
  if (!port_free(port_))
    throw ClusterError("port " + std::to_string(port_) +
                       " (the schema registry's) is already in use: stop what holds it (`ss "
                       "-ltnp 'sport = :" +
                       std::to_string(port_) + "'`) or choose another with --registry-port");
  fs::create_directories(dir_);
  auto java = KafkaRuntime::locate(paths_).java();
  process_.start({java, "-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                  "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + std::to_string(port_),
                  // In-memory storage (its default): a lab registry starts empty.
                  "-Dquarkus.log.console.json=false", "-jar", jar->string()},
                 {.log_file = log_file(), .die_with_parent = die_with_parent});
  await_until([&] { return running(); }, scaled(5s), 20ms);
  bool up = await_until([&] { return answers(port_) || !running(); }, scaled(90s), 250ms);
  if (!up || !running())
    throw ClusterError("the schema registry did not start: see " + log_file().string());
}

bool SchemaRegistry::stop() { return process_.stop(20s); }

}  // namespace klab::cluster
