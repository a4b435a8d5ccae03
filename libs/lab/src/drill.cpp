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
#include "klab/cluster/fault_proxy.hpp"
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
  // The producer application's own properties, and whether it reaches the brokers through the
  // fault proxy with `latency` added (each way) before the lab's last node.
  std::vector<std::string> producer_properties;
  bool via_proxy = false;
  std::chrono::milliseconds latency{0};
  // check restarts the consumer instances one at a time (a rolling deploy) and counts the
  // rebalances the others go through.
  bool rolling = false;
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
  // network-timeout: the path to one node got slower (1.5 s each way, a 3 s round trip), and
  // the producer gives a request 2 s (socket.timeout.ms): no request to that node is ever
  // answered in time, and its partitions' records fail after delivery.timeout.ms.
  static const DrillSpec net{
      .partitions = 3,
      .produce_rate = 20,
      .processing_ms = 0,
      .consumers = 0,
      .producer_properties = {"socket.timeout.ms=2000", "delivery.timeout.ms=30000"},
      .via_proxy = true,
      .latency = 1500ms};
  if (name == "rebalance-storm") return storm;
  if (name == "out-of-memory") return oom;
  if (name == "network-timeout") return net;
  // rolling-restart: three instances of a quick consumer, restarted one at a time by check.
  static const DrillSpec roll{
      .partitions = 6, .produce_rate = 20, .processing_ms = 10, .consumers = 3, .rolling = true};
  if (name == "rolling-restart") return roll;
  return lag;
}

// consumer-lag is fixed once what is behind is no more than about a second of writes.
constexpr std::int64_t lag_drained_below = 200;
// rebalance-storm is fixed once the group stays Stable with every instance for this long
// (longer than one record's processing, so a member that will be thrown out is seen leave).
constexpr auto storm_window = 12s;
// network-timeout watches what the producer was told for this long: acknowledgements on every
// partition and no failure.
constexpr auto producer_window = 10s;
// rolling-restart: how long a restarted instance gets to rejoin before the next one goes, and
// how long the rebalances of the last one may take to show.
constexpr auto rolling_pause = 3s;
constexpr auto rolling_settle = 5s;

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
      {.name = "rolling-restart",
       .roadmap_item = "7.3.2",
       .title = "배포(rolling restart) 때마다 rebalance가 줄줄이: static membership이 없다",
       .symptom = "`klab drill check rolling-restart`가 인스턴스 3개를 하나씩 다시 시작(배포)하며 "
                  "나머지가 "
                  "겪은 rebalance와 내놓은 partition을 셉니다; worker 로그(consumer-*.log)의 "
                  "\"gave up N partition(s)\", \"got N partition(s)\"",
       .fix = "static membership: `klab drill config rolling-restart group.instance.id=drill-app` "
              "(인스턴스마다 -1, -2, -3이 붙음; session.timeout.ms 안에 돌아오면 rebalance 없음)"},
      {.name = "out-of-memory",
       .roadmap_item = "7.3.3",
       .title = "broker가 OutOfMemoryError로 죽는다: Kafka port를 두드리는 HTTP health check",
       .symptom = "lab의 마지막 node가 멈춥니다: `klab status`의 state, 그 node의 "
                  "logs/stdout.log 마지막 줄(Terminating due to java.lang.OutOfMemoryError), "
                  "server.log에는 아무 말이 없음; node-N/server.properties의 맨 끝",
       .fix = "socket.request.max.bytes를 기본값으로(`klab drill config out-of-memory "
              "socket.request.max.bytes=104857600`: 그 설정으로 node를 다시 시작)"},
      {.name = "network-timeout",
       .roadmap_item = "7.3.4",
       .title = "한 broker로 가는 길이 느려졌다: request timeout이 round trip보다 짧다",
       .symptom = "producer가 한 node가 leader인 partition에 보낸 레코드가 전부 _MSG_TIMED_OUT"
                  "입니다(`klab drill check network-timeout`, worker 로그 .klab/state/cluster/"
                  "drill/workers/producer-1.log). 그런데 cluster는 멀쩡합니다: `klab status`, "
                  "`klab topics describe drill-network-timeout`(leader 그대로, ISR 전부)",
       .fix = "client의 request timeout을 round trip보다 크게(`klab drill config network-timeout "
              "socket.timeout.ms=10000`: producer를 그 설정으로 다시 시작)"},
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
    d.producer_properties = j.value("producer_properties", std::vector<std::string>{});
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
  std::ofstream(tmp) << nlohmann::json{{"name", d.name},
                                       {"topic", d.topic},
                                       {"group", d.group},
                                       {"consumer_properties", d.consumer_properties},
                                       {"producer_properties", d.producer_properties},
                                       {"node", d.node},
                                       {"broker_properties", d.broker_properties}};
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

klab::cluster::FaultProxy Drills::fault_proxy(const klab::cluster::LocalCluster& lab) const {
  return {paths_, lab, dir() / "fault-proxy"};
}

void Drills::start_producer(const RunningDrill& d) const {
  const auto& spec = spec_of(d.name);
  std::vector<std::string> args{"produce",
                                "--topic",
                                d.topic,
                                "--rate",
                                std::to_string(spec.produce_rate),
                                "--partitions",
                                std::to_string(spec.partitions),
                                "--status-file",
                                (dir() / "workers" / "producer-1.status").string()};
  for (const auto& p : d.producer_properties) args.insert(args.end(), {"--property", p});
  if (spec.via_proxy) args.push_back("--via-proxy");
  spawn(args, "producer-1");
}

DrillCheck Drills::check_producer(const RunningDrill& d) const {
  // What the producer application was told, over a window: every partition must have had
  // acknowledgements and no record may have failed.
  auto status_file = dir() / "workers" / "producer-1.status";
  auto read_status = [&]() -> nlohmann::json {
    std::ifstream in(status_file);
    try {
      auto j = in ? nlohmann::json::parse(in) : nlohmann::json::object();
      return j.is_object() ? j : nlohmann::json::object();
    } catch (const std::exception&) {
      return nlohmann::json::object();
    }
  };
  if (d.producers.empty())
    return {false,
            "the drill's producer is not running: `klab drill stop`, then `klab drill start " +
                d.name + "`"};
  // A producer started a moment ago writes its first status soon: the window starts there.
  nlohmann::json before;
  klab::cluster::await_until(
      [&] {
        before = read_status();
        return before.contains("acked");
      },
      10s, 100ms);
  std::this_thread::sleep_for(producer_window);
  auto after = read_status();
  if (!after.contains("acked") || !before.contains("acked") ||
      before.value("pid", 0) != after.value("pid", 0))
    return {false,
            "the producer restarted during the check (or has not reported yet): check again"};
  const auto& info = find_drill(d.name);
  std::int64_t failed = after.value("failed", 0L) - before.value("failed", 0L);
  std::vector<std::string> silent;
  std::int64_t acked = 0;
  for (int p = 0; p < spec_of(d.name).partitions; ++p) {
    auto key = std::to_string(p);
    auto delta = after["acked"].value(key, 0L) - before["acked"].value(key, 0L);
    acked += delta;
    if (delta <= 0) silent.push_back(key);
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(producer_window).count();
  if (failed == 0 && silent.empty())
    return {true, fmt::format("in {} s the producer had {} records acknowledged on every "
                              "partition and none failed",
                              seconds, acked)};
  std::string list;
  for (const auto& p : silent) list += (list.empty() ? "" : ",") + p;
  return {false, fmt::format("in {} s: {} acknowledged, {} failed (last error: {}); no "
                             "acknowledgement on partition(s) {}. {}",
                             seconds, acked, failed, after.value("last_error", "none"),
                             list.empty() ? "-" : list, info.fix)};
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
                 .producer_properties = spec.producer_properties,
                 .broker_properties = spec.broker_properties};
  std::optional<klab::cluster::LocalCluster> lab;
  if (!spec.broker_properties.empty() || spec.via_proxy) {
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
  try {
    // The proxy first: a lab that cannot have one fails the start before the topic exists.
    std::optional<klab::cluster::FaultProxy> proxy;
    if (spec.via_proxy) {
      proxy.emplace(fault_proxy(*lab));
      proxy->start();
    }
    {
      // Closed before a node restarts below: its connections would only log the restart.
      klab::client::Admin admin(client_);
      auto brokers = admin.describe_cluster(10s).brokers.size();
      int rf = static_cast<int>(std::min<std::size_t>(3, std::max<std::size_t>(brokers, 1)));
      try {
        admin.create_topic(
            {.name = d.topic, .partitions = spec.partitions, .replication_factor = rf}, 30s);
      } catch (const klab::KafkaException& e) {
        // Left by a drill whose stop could not delete it: its old records do no harm.
        if (e.error().code() != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) throw;
      }
      // Every partition led before the producer starts, so its first records have somewhere to go.
      klab::cluster::await_until(
          [&] {
            auto t = admin.describe_topics({d.topic}, 10s).at(0);
            return !t.error && std::all_of(t.partitions.begin(), t.partitions.end(),
                                           [](const auto& p) { return p.leader >= 0; });
          },
          30s, 100ms);
      // The slow path goes to the leader of partition 0, so at least that partition suffers.
      if (proxy) d.node = admin.describe_topics({d.topic}, 10s).at(0).partitions.at(0).leader;
    }
    if (proxy) proxy->add_latency(d.node, spec.latency);
    save(d);
    start_producer(d);
    if (lab && !spec.broker_properties.empty()) {
      drill_broker::apply(*lab, d.node, d.broker_properties);
      spawn({"http-probe", "--port", std::to_string(lab->nodes().at(d.node - 1).client_port),
             "--interval-ms", std::to_string(spec.probe_interval_ms)},
            "probe-1");
    }
  } catch (...) {
    // Half a drill is worse than none: what started goes again (a created topic stays).
    stop_workers();
    std::error_code ec;
    fs::remove_all(dir(), ec);
    throw;
  }
  if (spec.consumers == 0) return *running();
  return scale(name, spec.consumers);
}

void Drills::start_consumer(const RunningDrill& d, const std::string& id) const {
  std::vector<std::string> args{"consume",
                                "--topic",
                                d.topic,
                                "--group",
                                d.group,
                                "--processing-ms",
                                std::to_string(spec_of(d.name).processing_ms),
                                "--status-file",
                                (dir() / "workers" / (id + ".status")).string()};
  for (const auto& p : d.consumer_properties) {
    // One group.instance.id per instance, as a StatefulSet names its pods: "<value>-<n>".
    auto value = p.starts_with("group.instance.id=") ? p + id.substr(id.rfind('-')) : p;
    args.insert(args.end(), {"--property", value});
  }
  spawn(args, id);
}

DrillCheck Drills::check_rolling(const RunningDrill& d) const {
  auto ids = worker_ids(dir(), "consumer");
  if (d.consumers.empty())
    return {false, "no consumer instance runs: `klab drill scale " + d.name + " 3`"};
  auto status_of = [&](const std::string& id) {
    std::ifstream in(dir() / "workers" / (id + ".status"));
    try {
      auto j = in ? nlohmann::json::parse(in) : nlohmann::json::object();
      return std::pair<long, long>{j.value("rebalances", 0L), j.value("revoked_partitions", 0L)};
    } catch (const std::exception&) {
      return std::pair<long, long>{0, 0};
    }
  };
  // Measured from a settled group: every instance in it and reporting, and quiet for a moment
  // (the joins of a fresh start are not the deploy's).
  klab::client::Admin admin(client_);
  klab::cluster::await_until(
      [&] {
        for (const auto& id : ids)
          if (!fs::exists(dir() / "workers" / (id + ".status"))) return false;
        auto g = admin.describe_group(d.group, 10s);
        return g.state == "Stable" && g.members.size() == ids.size();
      },
      60s, 200ms);
  std::this_thread::sleep_for(rolling_pause);
  std::map<std::string, std::pair<long, long>> before;
  for (const auto& id : ids) before[id] = status_of(id);
  long rebalances = 0, revoked = 0;
  // The deploy: each instance stopped (SIGTERM: it closes its consumer) and started again,
  // given a moment to rejoin before the next one goes.
  for (const auto& id : ids) {
    worker(dir(), id).stop(15s);
    auto [r, p] = status_of(id);
    rebalances += r - before[id].first;
    revoked += p - before[id].second;
    std::error_code ec;
    fs::remove(dir() / "workers" / (id + ".status"), ec);
    start_consumer(d, id);
    std::this_thread::sleep_for(rolling_pause);
  }
  std::this_thread::sleep_for(rolling_settle);
  for (const auto& id : ids) {
    auto [r, p] = status_of(id);
    rebalances += r;
    revoked += p;
  }
  auto what = fmt::format(
      "rolling restart of {} instance(s): the running instances went through {} "
      "rebalance(s) and gave up {} partition(s) meanwhile",
      ids.size(), rebalances, revoked);
  if (rebalances == 0) return {true, what};
  return {false, what + ". " + find_drill(d.name).fix};
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
    start_consumer(*d, id);
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
  if (spec_of(name).broker_properties.empty()) try {
      klab::client::Config().set(property.substr(0, eq), property.substr(eq + 1));
    } catch (const klab::KafkaException& e) {
      throw LabError(LabError::Kind::invalid_input, e.what());
    }
  if (!spec_of(name).producer_properties.empty()) {
    auto key = property.substr(0, eq + 1);
    std::erase_if(d->producer_properties, [&](const std::string& p) { return p.starts_with(key); });
    d->producer_properties.push_back(property);
    save(*d);
    for (const auto& id : worker_ids(dir(), "producer")) worker(dir(), id).stop(15s);
    std::error_code ec;
    fs::remove(dir() / "workers" / "producer-1.status", ec);  // the old producer's view
    start_producer(*d);
    return *running();
  }
  if (!spec_of(name).broker_properties.empty()) {
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
  if (spec_of(name).via_proxy) return check_producer(*d);
  if (spec_of(name).rolling) return check_rolling(*d);
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
  int stopped = static_cast<int>(stopping.size());
  // A drill's fault proxy goes with its workers (`klab down` calls this too).
  klab::cluster::ManagedProcess proxy(dir() / "fault-proxy" / "toxiproxy.pid",
                                      klab::cluster::FaultProxy::server_binary(paths_).string());
  if (proxy.stop(5s)) ++stopped;
  return stopped;
}

bool Drills::stop() {
  auto d = running();
  if (!d && !fs::exists(dir())) return false;
  stop_workers();
  // The node first: on a one-node lab the topic can only be deleted once it runs again.
  if (d && d->node > 0 && own_lab_ && !spec_of(d->name).broker_properties.empty()) {
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
