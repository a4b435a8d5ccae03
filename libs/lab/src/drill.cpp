#include "klab/lab/drill.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>

#include "drill_broker.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"
#include "klab/client/log.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/lab/lab_cluster.hpp"
#include "klab/lab/lab_error.hpp"
#include "klab/lab/lag.hpp"

namespace klab::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// How each drill breaks the lab.
struct DrillSpec {
  int partitions;
  int produce_rate;   // records/s
  int processing_ms;  // per record, in each consumer instance
  int consumers;      // instances at start
  std::vector<std::string> consumer_properties;
  // Broker properties the drill gives the lab's last node (restarting it); with them, a worker
  // aims an HTTP health check at that node's Kafka port every probe_interval_ms.
  std::map<std::string, std::string> broker_properties;
  int probe_interval_ms = 0;
};

const DrillSpec& spec_of(std::string_view name) {
  // consumer-lag: 200 records/s written; one instance handles a record in 20 ms (50/s), so lag
  // grows by about 150 records/s until enough instances share the partitions.
  static const DrillSpec lag{
      .partitions = 6, .produce_rate = 200, .processing_ms = 20, .consumers = 1};
  // rebalance-storm: a record takes 8 s to process, max.poll.interval.ms is 6 s: every instance
  // is thrown out of the group (MAX_POLL_EXCEEDED) and rejoins, again and again.
  static const DrillSpec storm{
      .partitions = 3,
      .produce_rate = 2,
      .processing_ms = 8000,
      .consumers = 3,
      .consumer_properties = {"max.poll.interval.ms=6000", "session.timeout.ms=6000"}};
  // out-of-memory: "allow big messages" raised socket.request.max.bytes to Integer.MAX_VALUE on
  // one node, and a load balancer's health check hits its Kafka port every 3 s. No consumers.
  static const DrillSpec oom{.partitions = 3,
                             .produce_rate = 20,
                             .processing_ms = 0,
                             .consumers = 0,
                             .broker_properties = {{"socket.request.max.bytes", "2147483647"}},
                             .probe_interval_ms = 3000};
  if (name == "rebalance-storm") return storm;
  if (name == "out-of-memory") return oom;
  return lag;
}

// consumer-lag is fixed once what is behind is no more than about a second of writes.
constexpr std::int64_t lag_drained_below = 200;
// rebalance-storm is fixed once the group stays Stable with every instance for this long
// (longer than one record's processing, so a member that will be thrown out is seen leave).
constexpr auto storm_window = 12s;

// Worker processes are recognised by this text in their command line.
constexpr std::string_view worker_marker = " drill worker ";

klab::cluster::ManagedProcess worker(const fs::path& dir, const std::string& id) {
  return {dir / "workers" / (id + ".pid"), std::string(worker_marker)};
}

std::vector<std::string> worker_ids(const fs::path& dir, std::string_view role) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir / "workers", ec)) {
    auto stem = f.path().stem().string();
    if (f.path().extension() == ".pid" && stem.starts_with(role)) ids.push_back(stem);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<pid_t> live_pids(const fs::path& dir, std::string_view role) {
  std::vector<pid_t> pids;
  for (const auto& id : worker_ids(dir, role))
    if (auto pid = worker(dir, id).pid()) pids.push_back(pid);
  return pids;
}

}  // namespace

const std::vector<DrillInfo>& drills() {
  static const std::vector<DrillInfo> all = {
      {.name = "consumer-lag",
       .roadmap_item = "7.3.1",
       .title = "느린 consumer: lag이 계속 커진다",
       .symptom = "group drill-consumer-lag-app의 lag이 초마다 커집니다: `klab groups describe "
                  "drill-consumer-lag-app`, 콘솔의 Groups 화면(lag 그래프)",
       .fix =
           "처리량을 쓰기 속도보다 크게: consumer를 partition 수(6)까지 늘리기(`klab drill scale "
           "consumer-lag N`), 또는 처리를 batch로/빠르게"},
      {.name = "rebalance-storm",
       .roadmap_item = "7.3.2",
       .title = "rebalance가 멈추지 않는다: 처리가 max.poll.interval.ms보다 길다",
       .symptom =
           "group drill-rebalance-storm-app이 Stable에 머물지 못하고 member 수가 오르내립니다: "
           "`klab groups describe drill-rebalance-storm-app`을 몇 번, worker 로그(.klab/state/"
           "cluster/drill/workers/consumer-*.log)의 MAXPOLL",
       .fix = "레코드 하나의 처리 시간보다 max.poll.interval.ms를 크게(`klab drill config "
              "rebalance-storm max.poll.interval.ms=30000`), 또는 처리를 짧게/나눠서"},
      {.name = "out-of-memory",
       .roadmap_item = "7.3.3",
       .title = "broker가 OutOfMemoryError로 죽는다: Kafka port를 두드리는 HTTP health check",
       .symptom = "lab의 마지막 node가 멈춥니다: `klab status`의 state, 그 node의 "
                  "logs/stdout.log 마지막 줄(Terminating due to java.lang.OutOfMemoryError), "
                  "server.log에는 아무 말이 없음; node-N/server.properties의 맨 끝",
       .fix = "socket.request.max.bytes를 기본값으로(`klab drill config out-of-memory "
              "socket.request.max.bytes=104857600`: 그 설정으로 node를 다시 시작)"},
  };
  return all;
}

const DrillInfo& find_drill(std::string_view name) {
  for (const auto& d : drills())
    if (d.name == name) return d;
  std::string names;
  for (const auto& d : drills()) names += (names.empty() ? "" : ", ") + d.name;
  throw LabError(LabError::Kind::not_found,
                 fmt::format("no drill '{}': the drills are {} (`klab drill list`)", name, names));
}

Drills::Drills(klab::cluster::LabPaths paths, klab::client::Config client, fs::path klab,
               bool own_lab)
    : paths_(std::move(paths)),
      client_(std::move(client)),
      klab_(std::move(klab)),
      own_lab_(own_lab) {}

fs::path Drills::dir() const { return paths_.state_dir / "drill"; }

std::optional<RunningDrill> Drills::running() const {
  std::ifstream in(dir() / "drill.json");
  if (!in) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(in);
    RunningDrill d{.name = j.at("name"), .topic = j.at("topic"), .group = j.at("group")};
    d.consumer_properties = j.value("consumer_properties", std::vector<std::string>{});
    d.node = j.value("node", 0);
    d.broker_properties = j.value("broker_properties", std::map<std::string, std::string>{});
    d.producers = live_pids(dir(), "producer");
    d.consumers = live_pids(dir(), "consumer");
    d.probes = live_pids(dir(), "probe");
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void Drills::save(const RunningDrill& d) const {
  fs::create_directories(dir());
  auto tmp = dir() / "drill.json.tmp";
  std::ofstream(tmp) << nlohmann::json{
      {"name", d.name},   {"topic", d.topic},
      {"group", d.group}, {"consumer_properties", d.consumer_properties},
      {"node", d.node},   {"broker_properties", d.broker_properties}};
  fs::rename(tmp, dir() / "drill.json");
}

pid_t Drills::spawn(const std::vector<std::string>& args, const std::string& id) const {
  std::vector<std::string> argv{klab_.string(), "drill", "worker"};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::create_directories(dir() / "workers");
  auto w = worker(dir(), id);
  pid_t pid = w.start(argv, {.log_file = dir() / "workers" / (id + ".log")});
  // Until it has exec'd, the child still shows the parent's command line and would not count
  // as a worker: `start` and `scale` report what runs.
  if (!klab::cluster::await_until([&] { return w.running(); }, 5s, 20ms))
    throw LabError(LabError::Kind::failed,
                   fmt::format("drill worker {} did not start: see {}", id,
                               (dir() / "workers" / (id + ".log")).string()));
  return pid;
}

RunningDrill Drills::start(const std::string& name) {
  const auto& info = find_drill(name);
  if (auto r = running())
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("drill {} is running: end it with `klab drill stop` first", r->name));
  const auto& spec = spec_of(name);
  RunningDrill d{.name = info.name,
                 .topic = "drill-" + info.name,
                 .group = "drill-" + info.name + "-app",
                 .consumer_properties = spec.consumer_properties,
                 .broker_properties = spec.broker_properties};
  std::optional<klab::cluster::LocalCluster> lab;
  if (!spec.broker_properties.empty()) {
    if (!own_lab_)
      throw LabError(LabError::Kind::conflict,
                     fmt::format("the {} drill restarts a node of the lab's own cluster, but "
                                 "KLAB_BOOTSTRAP points elsewhere: unset it and `klab up`",
                                 name));
    lab.emplace(lab_cluster(paths_));
    if (!lab->all_running())
      throw LabError(
          LabError::Kind::conflict,
          fmt::format("the {} drill needs every node of the lab running: `klab up`", name));
    d.node = lab->node_count();
  }
  {
    // Closed before a node restarts below: its connections would only log the restart.
    klab::client::Admin admin(client_);
    auto brokers = admin.describe_cluster(10s).brokers.size();
    int rf = static_cast<int>(std::min<std::size_t>(3, std::max<std::size_t>(brokers, 1)));
    admin.create_topic({.name = d.topic, .partitions = spec.partitions, .replication_factor = rf},
                       30s);
    // Every partition led before the producer starts, so its first records have somewhere to go.
    klab::cluster::await_until(
        [&] {
          auto t = admin.describe_topics({d.topic}, 10s).at(0);
          return !t.error && std::all_of(t.partitions.begin(), t.partitions.end(),
                                         [](const auto& p) { return p.leader >= 0; });
        },
        30s, 100ms);
  }
  save(d);
  spawn({"produce", "--topic", d.topic, "--rate", std::to_string(spec.produce_rate)}, "producer-1");
  if (lab) {
    drill_broker::apply(*lab, d.node, d.broker_properties);
    spawn({"http-probe", "--port", std::to_string(lab->nodes().at(d.node - 1).client_port),
           "--interval-ms", std::to_string(spec.probe_interval_ms)},
          "probe-1");
  }
  if (spec.consumers == 0) return *running();
  return scale(name, spec.consumers);
}

RunningDrill Drills::scale(const std::string& name, int consumers) {
  auto d = running();
  if (!d || d->name != name)
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("drill {} is not running: start it with `klab drill start {}`", name, name));
  if (consumers < 1)
    throw LabError(LabError::Kind::invalid_input,
                   fmt::format("a drill runs at least 1 consumer, not {}", consumers));
  auto ids = worker_ids(dir(), "consumer");
  int live = static_cast<int>(d->consumers.size());
  for (int n = 1; live < consumers; ++n) {
    auto id = fmt::format("consumer-{}", n);
    if (worker(dir(), id).running()) continue;
    std::vector<std::string> args{"consume",
                                  "--topic",
                                  d->topic,
                                  "--group",
                                  d->group,
                                  "--processing-ms",
                                  std::to_string(spec_of(name).processing_ms)};
    for (const auto& p : d->consumer_properties) args.insert(args.end(), {"--property", p});
    spawn(args, id);
    ++live;
  }
  for (auto it = ids.rbegin(); it != ids.rend() && live > consumers; ++it)
    if (worker(dir(), *it).stop(10s)) --live;
  return *running();
}

RunningDrill Drills::configure(const std::string& name, const std::string& property) {
  auto d = running();
  if (!d || d->name != name)
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("drill {} is not running: start it with `klab drill start {}`", name, name));
  auto eq = property.find('=');
  if (eq == std::string::npos || eq == 0)
    throw LabError(
        LabError::Kind::invalid_input,
        fmt::format("'{}' is not key=value (a property of what the drill broke)", property));
  if (d->node == 0) try {
      klab::client::Config().set(property.substr(0, eq), property.substr(eq + 1));
    } catch (const klab::KafkaException& e) {
      throw LabError(LabError::Kind::invalid_input, e.what());
    }
  if (d->node > 0) {
    d->broker_properties[property.substr(0, eq)] = property.substr(eq + 1);
    save(*d);
    auto lab = lab_cluster(paths_);
    drill_broker::apply(lab, d->node, d->broker_properties);
    return *running();
  }
  auto key = property.substr(0, eq + 1);
  std::erase_if(d->consumer_properties, [&](const std::string& p) { return p.starts_with(key); });
  d->consumer_properties.push_back(property);
  save(*d);
  // A redeploy: every instance stops (and leaves the group), then as many start again.
  int instances = std::max<int>(1, static_cast<int>(d->consumers.size()));
  std::vector<std::pair<klab::cluster::ManagedProcess, pid_t>> stopping;
  for (const auto& id : worker_ids(dir(), "consumer")) {
    auto w = worker(dir(), id);
    if (auto pid = w.request_stop()) stopping.emplace_back(std::move(w), pid);
  }
  for (auto& [w, pid] : stopping) w.await_stopped(pid, 15s);
  return scale(name, instances);
}

DrillCheck Drills::check(const std::string& name) const {
  auto d = running();
  if (!d || d->name != name)
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("drill {} is not running: start it with `klab drill start {}`", name, name));
  if (d->node > 0)
    return drill_broker::check(lab_cluster(paths_), d->node, d->broker_properties,
                               find_drill(name).fix);
  klab::client::Admin admin(client_);
  if (name == "rebalance-storm") {
    // Watched for a while: a storm shows as states other than Stable and members coming and
    // going; a fixed group stays Stable with every instance in it.
    const auto instances = d->consumers.size();
    int looks = 0, unsettled = 0;
    std::size_t fewest = instances;
    for (auto until = std::chrono::steady_clock::now() + storm_window;
         std::chrono::steady_clock::now() < until; ++looks) {
      auto g = admin.describe_group(d->group, 10s);
      if (g.state != "Stable" || g.members.size() != instances) ++unsettled;
      fewest = std::min(fewest, g.members.size());
      std::this_thread::sleep_for(500ms);
    }
    if (instances > 0 && unsettled == 0)
      return {true, fmt::format("Stable with all {} consumer(s) in {} looks over {} s", instances,
                                looks, storm_window.count())};
    return {false, fmt::format("not Stable or not every instance in the group in {} of {} looks "
                               "over {} s (as few as {} of {} members): {}",
                               unsettled, looks, storm_window.count(), fewest, instances,
                               find_drill(name).fix)};
  }
  auto lags = group_lag(admin, d->group, 10s);
  auto total = std::accumulate(lags.begin(), lags.end(), std::int64_t{0},
                               [](std::int64_t sum, const PartitionLag& p) { return sum + p.lag; });
  auto members = admin.describe_group(d->group, 10s).members.size();
  if (d->producers.empty())
    return {false,
            "the drill's producer is not running (it must keep writing for the check to "
            "mean anything): `klab drill stop`, then `klab drill start " +
                name + "`"};
  if (total < lag_drained_below)
    return {true, fmt::format("lag {} (below {}): {} consumer(s) keep up with {} records/s", total,
                              lag_drained_below, members, spec_of(name).produce_rate)};
  return {false,
          fmt::format("lag {} across {} partition(s) with {} consumer(s) (each handles about {} "
                      "records/s, the producer writes {}/s): {}",
                      total, lags.size(), members, 1000 / spec_of(name).processing_ms,
                      spec_of(name).produce_rate, find_drill(name).fix)};
}

int Drills::stop_workers() {
  // Every worker at once: consumers leave the group cleanly on SIGTERM.
  std::vector<std::pair<klab::cluster::ManagedProcess, pid_t>> stopping;
  for (const auto& role : {"consumer", "producer", "probe"})
    for (const auto& id : worker_ids(dir(), role)) {
      auto w = worker(dir(), id);
      if (auto pid = w.request_stop()) stopping.emplace_back(std::move(w), pid);
    }
  for (auto& [w, pid] : stopping) w.await_stopped(pid, 10s);
  return static_cast<int>(stopping.size());
}

bool Drills::stop() {
  auto d = running();
  if (!d && !fs::exists(dir())) return false;
  stop_workers();
  // The node first: on a one-node lab the topic can only be deleted once it runs again.
  if (d && d->node > 0 && own_lab_) {
    auto lab = lab_cluster(paths_);
    drill_broker::restore(lab, d->node);
  }
  if (d) {
    try {
      klab::client::Admin admin(client_);
      admin.delete_topic(d->topic, 30s);
      try {
        admin.delete_group(d->group, 10s);
      } catch (const klab::KafkaException& e) {
        // A drill without consumers never made its group.
        if (e.error().code() != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) throw;
      }
    } catch (const std::exception& e) {
      klab::client::log(klab::client::LogLevel::warning, "klab::lab",
                        std::string("the drill's topic or group was not deleted: ") + e.what());
    }
  }
  std::error_code ec;
  fs::remove_all(dir(), ec);
  return true;
}

}  // namespace klab::lab
