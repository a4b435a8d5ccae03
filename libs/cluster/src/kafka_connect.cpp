#include "klab/cluster/kafka_connect.hpp"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

httplib::Client rest(std::uint16_t port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2s);
  c.set_read_timeout(30s);  // a rebalancing worker answers slowly
  return c;
}

}  // namespace

bool ConnectorStatus::running() const {
  if (state != "RUNNING" || task_states.empty()) return false;
  for (const auto& t : task_states)
    if (t != "RUNNING") return false;
  return true;
}

KafkaConnect::KafkaConnect(const LabPaths& paths, ConnectSpec spec)
    : paths_(paths),
      spec_(std::move(spec)),
      process_(spec_.dir / "connect.pid", (spec_.dir / "worker.properties").string()) {}

std::string KafkaConnect::url() const {
  return "http://127.0.0.1:" + std::to_string(spec_.rest_port);
}

void KafkaConnect::start(bool die_with_parent) {
  if (running()) return;
  bool installed = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(paths_.connect_libs, ec))
    installed = installed || e.path().filename().string().starts_with("connect-runtime-");
  if (!installed)
    throw ClusterError("Kafka Connect is not installed (" + paths_.connect_libs.string() +
                       "): run scripts/setup to fetch it with Maven");
  // A worker killed a moment ago may still hold its port while the kernel tears it down.
  if (!await_until([&] { return port_free(spec_.rest_port); }, scaled(10s), 100ms))
    throw ClusterError("port " + std::to_string(spec_.rest_port) +
                       " (Kafka Connect's REST API) is already in use: stop what holds it or "
                       "choose another");
  fs::create_directories(spec_.dir);
  const auto rf = std::to_string(spec_.replication_factor);
  std::map<std::string, std::string> p{
      {"bootstrap.servers", spec_.bootstrap},
      {"group.id", spec_.group_id},
      {"config.storage.topic", spec_.group_id + ".configs"},
      {"offset.storage.topic", spec_.group_id + ".offsets"},
      {"status.storage.topic", spec_.group_id + ".status"},
      {"config.storage.replication.factor", rf},
      {"offset.storage.replication.factor", rf},
      {"status.storage.replication.factor", rf},
      {"offset.storage.partitions", "5"},
      {"status.storage.partitions", "1"},
      {"key.converter", "org.apache.kafka.connect.json.JsonConverter"},
      {"value.converter", "org.apache.kafka.connect.json.JsonConverter"},
      {"key.converter.schemas.enable", "false"},
      {"value.converter.schemas.enable", "false"},
      {"listeners", "http://127.0.0.1:" + std::to_string(spec_.rest_port)},
      {"rest.advertised.host.name", "127.0.0.1"},
      {"plugin.path", paths_.connect_plugins.string()},
      // Source offsets flushed every second, so a restart replays little.
      {"offset.flush.interval.ms", "1000"},
      // One worker: rebalances need not wait for members that will never come back.
      {"scheduled.rebalance.max.delay.ms", "0"},
      // Sources write with idempotence and acks=all (Connect's defaults), every record kept.
      {"producer.acks", "all"},
  };
  for (const auto& [k, v] : spec_.properties) p[k] = v;
  {
    std::ofstream out(spec_.dir / "worker.properties");
    out << "# Kafka Connect worker of the Kafka lab (written by klab::cluster::KafkaConnect)\n";
    for (const auto& [k, v] : p) out << k << "=" << v << "\n";
  }
  auto runtime = KafkaRuntime::locate(paths_);
  std::vector<std::string> argv{
      runtime.java(),
      "-Xms128m",
      "-Xmx512m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Dlog4j2.configurationFile=" + (paths_.config_dir / "log4j2-connect.properties").string(),
      "-Dkafka.logs.dir=" + spec_.dir.string(),
      "-cp",
      (paths_.connect_libs / "*").string(),
      "org.apache.kafka.connect.cli.ConnectDistributed",
      (spec_.dir / "worker.properties").string()};
  process_.start(argv, {.log_file = spec_.dir / "stdout.log", .die_with_parent = die_with_parent});
  await_until([&] { return running(); }, scaled(10s), 20ms);
  bool up = await_until(
      [&] {
        if (!running()) return true;
        auto r = rest(spec_.rest_port).Get("/connectors");
        return r && r->status == 200;
      },
      scaled(120s), 250ms);
  if (!up || !running())
    throw ClusterError("Kafka Connect did not start:\n" + failure_excerpt(log_file(), 10) + "\n" +
                       failure_excerpt(spec_.dir / "stdout.log", 10));
}

bool KafkaConnect::stop() { return process_.stop(30s); }
bool KafkaConnect::kill() { return process_.kill(); }

void KafkaConnect::put_connector(const std::string& name,
                                 const std::map<std::string, std::string>& config) {
  nlohmann::json body(config);
  // A worker that just (re)joined its group answers 409 until the rebalance is over.
  int status = 0;
  std::string answer;
  await_until(
      [&] {
        auto r = rest(spec_.rest_port)
                     .Put("/connectors/" + name + "/config", body.dump(), "application/json");
        status = r ? r->status : 0;
        answer = r ? r->body : "";
        return r && r->status != 409;
      },
      scaled(60s), 500ms);
  if (status == 0) throw ClusterError("Kafka Connect at " + url() + " did not answer");
  if (status != 200 && status != 201)
    throw ClusterError("Kafka Connect refused connector " + name + " (HTTP " +
                       std::to_string(status) + "): " + answer);
}

ConnectorStatus KafkaConnect::status(const std::string& name) const {
  ConnectorStatus s;
  auto r = rest(spec_.rest_port).Get("/connectors/" + name + "/status");
  if (!r || r->status != 200) return s;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return s;
  s.state = j["connector"].value("state", "");
  if (j["connector"].contains("trace")) s.trace = j["connector"]["trace"];
  for (const auto& t : j.value("tasks", nlohmann::json::array())) {
    s.task_states.push_back(t.value("state", ""));
    if (s.trace.empty() && t.contains("trace")) s.trace = t["trace"];
  }
  return s;
}

void KafkaConnect::await_running(const std::string& name, std::chrono::milliseconds timeout) {
  ConnectorStatus last;
  bool ok = await_until(
      [&] {
        last = status(name);
        return last.running() || last.state == "FAILED" ||
               std::find(last.task_states.begin(), last.task_states.end(), "FAILED") !=
                   last.task_states.end();
      },
      timeout, 250ms);
  if (!ok || !last.running())
    throw ClusterError("connector " + name + " is not running (state '" + last.state + "'" +
                       (last.trace.empty() ? "" : ": " + last.trace.substr(0, 1500)) + "); see " +
                       log_file().string());
}

std::string KafkaConnect::offsets(const std::string& name) const {
  auto r = rest(spec_.rest_port).Get("/connectors/" + name + "/offsets");
  return r && r->status == 200 ? r->body : "";
}

void KafkaConnect::delete_connector(const std::string& name) {
  auto r = rest(spec_.rest_port).Delete("/connectors/" + name);
  if (!r) throw ClusterError("Kafka Connect at " + url() + " did not answer");
  if (r->status != 204 && r->status != 200 && r->status != 404)
    throw ClusterError("Kafka Connect did not delete " + name + " (HTTP " +
                       std::to_string(r->status) + "): " + r->body);
}

std::vector<std::string> KafkaConnect::plugins() const {
  std::vector<std::string> out;
  auto r = rest(spec_.rest_port).Get("/connector-plugins");
  if (!r || r->status != 200) return out;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& p : j) out.push_back(p.value("class", ""));
  return out;
}

}  // namespace klab::cluster
