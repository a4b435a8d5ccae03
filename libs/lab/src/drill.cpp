#include "klab/lab/drill.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/lab/lab_error.hpp"
#include "klab/lab/lag.hpp"

namespace klab::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// consumer-lag: the producer writes 200 records/s; one consumer handles a record in 20 ms
// (50/s), so lag grows by about 150 records/s until enough instances share the partitions.
constexpr int lag_produce_rate = 200;
constexpr int lag_processing_ms = 20;
constexpr int lag_partitions = 6;
// Drained: what the producer writes in about a second is still behind, no more.
constexpr std::int64_t lag_drained_below = lag_produce_rate;
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

Drills::Drills(klab::cluster::LabPaths paths, klab::client::Config client, fs::path klab)
    : paths_(std::move(paths)), client_(std::move(client)), klab_(std::move(klab)) {}

fs::path Drills::dir() const { return paths_.state_dir / "drill"; }

std::optional<RunningDrill> Drills::running() const {
  std::ifstream in(dir() / "drill.json");
  if (!in) return std::nullopt;
  try {
    auto j = nlohmann::json::parse(in);
    RunningDrill d{.name = j.at("name"), .topic = j.at("topic"), .group = j.at("group")};
    d.producers = live_pids(dir(), "producer");
    d.consumers = live_pids(dir(), "consumer");
    return d;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void Drills::save(const RunningDrill& d) const {
  fs::create_directories(dir());
  auto tmp = dir() / "drill.json.tmp";
  std::ofstream(tmp) << nlohmann::json{{"name", d.name}, {"topic", d.topic}, {"group", d.group}};
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
  RunningDrill d{
      .name = info.name, .topic = "drill-" + info.name, .group = "drill-" + info.name + "-app"};
  klab::client::Admin admin(client_);
  auto brokers = admin.describe_cluster(10s).brokers.size();
  int rf = static_cast<int>(std::min<std::size_t>(3, std::max<std::size_t>(brokers, 1)));
  admin.create_topic({.name = d.topic, .partitions = lag_partitions, .replication_factor = rf},
                     30s);
  // Every partition led before the producer starts, so its first records have somewhere to go.
  klab::cluster::await_until(
      [&] {
        auto t = admin.describe_topics({d.topic}, 10s).at(0);
        return !t.error && std::all_of(t.partitions.begin(), t.partitions.end(),
                                       [](const auto& p) { return p.leader >= 0; });
      },
      30s, 100ms);
  save(d);
  spawn({"produce", "--topic", d.topic, "--rate", std::to_string(lag_produce_rate)}, "producer-1");
  return scale(name, 1);
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
    spawn({"consume", "--topic", d->topic, "--group", d->group, "--processing-ms",
           std::to_string(lag_processing_ms)},
          id);
    ++live;
  }
  for (auto it = ids.rbegin(); it != ids.rend() && live > consumers; ++it)
    if (worker(dir(), *it).stop(10s)) --live;
  return *running();
}

DrillCheck Drills::check(const std::string& name) const {
  auto d = running();
  if (!d || d->name != name)
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("drill {} is not running: start it with `klab drill start {}`", name, name));
  klab::client::Admin admin(client_);
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
                              lag_drained_below, members, lag_produce_rate)};
  return {false,
          fmt::format("lag {} across {} partition(s) with {} consumer(s) (each handles about {} "
                      "records/s, the producer writes {}/s): {}",
                      total, lags.size(), members, 1000 / lag_processing_ms, lag_produce_rate,
                      find_drill(name).fix)};
}

int Drills::stop_workers() {
  // Every worker at once: consumers leave the group cleanly on SIGTERM.
  std::vector<std::pair<klab::cluster::ManagedProcess, pid_t>> stopping;
  for (const auto& role : {"consumer", "producer"})
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
  if (d) {
    try {
      klab::client::Admin admin(client_);
      admin.delete_topic(d->topic, 30s);
      admin.delete_group(d->group, 10s);
    } catch (const std::exception& e) {
      std::cerr << "klab: the drill's topic or group was not deleted: " << e.what() << '\n';
    }
  }
  std::error_code ec;
  fs::remove_all(dir(), ec);
  return true;
}

}  // namespace klab::lab
