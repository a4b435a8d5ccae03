#include "klab/lab/doctor.hpp"

#include <fmt/core.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <thread>

#include "klab/cluster/cluster_error.hpp"
#include "klab/lab/lab_cluster.hpp"
#include "klab/lab/lag.hpp"

namespace klab::lab {
namespace {
using namespace std::chrono_literals;
using Status = DoctorFinding::Status;

std::string join(const std::vector<std::string>& items, std::size_t max = 5) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > max) out += fmt::format(" and {} more", items.size() - max);
  return out;
}

std::string where(const std::string& topic, int partition) {
  return fmt::format("{}-{}", topic, partition);
}

DoctorFinding ok(std::string check, std::string detail) {
  return {std::move(check), Status::ok, std::move(detail), ""};
}

DoctorFinding partitions_check(const DoctorSnapshot& s) {
  std::vector<std::string> under;
  std::size_t total = 0;
  for (const auto& t : s.topics)
    for (const auto& p : t.partitions) {
      ++total;
      if (p.leader >= 0 && p.isr.size() < p.replicas.size()) under.push_back(where(t.name, p.id));
    }
  if (under.empty())
    return ok("under-replicated partitions", fmt::format("0 of {} partitions", total));
  return {"under-replicated partitions", Status::fail,
          fmt::format("{} of {} partitions have fewer in-sync replicas than replicas: {}",
                      under.size(), total, join(under)),
          "a broker is down or cannot keep up: `klab status` shows which; start it or read its "
          "log (node-N/logs/server.log)"};
}

DoctorFinding offline_check(const DoctorSnapshot& s) {
  std::vector<std::string> offline;
  for (const auto& t : s.topics)
    for (const auto& p : t.partitions)
      if (p.leader < 0) offline.push_back(where(t.name, p.id));
  if (offline.empty()) return ok("offline partitions", "every partition has a leader");
  return {"offline partitions", Status::fail,
          fmt::format("{} partition(s) without a leader: {}", offline.size(), join(offline)),
          "start a broker that holds a replica of them; unclean.leader.election.enable=true "
          "would elect an out-of-sync replica and lose what it lacks"};
}

DoctorFinding min_isr_check(const DoctorSnapshot& s) {
  std::vector<std::string> under;
  for (const auto& t : s.topics) {
    auto it = s.min_insync_replicas.find(t.name);
    if (it == s.min_insync_replicas.end()) continue;
    for (const auto& p : t.partitions) {
      // Kafka 4 caps the minimum at the replication factor (a topic with 1 replica and
      // min.insync.replicas=2 still takes acks=all writes).
      auto needed = std::min<std::size_t>(it->second, p.replicas.size());
      if (p.leader >= 0 && p.isr.size() < needed)
        under.push_back(fmt::format("{} ({} of {})", where(t.name, p.id), p.isr.size(), needed));
    }
  }
  if (under.empty()) return ok("under min ISR", "every partition meets min.insync.replicas");
  return {"under min ISR", Status::fail,
          fmt::format("{} partition(s) refuse acks=all writes (NOT_ENOUGH_REPLICAS): {}",
                      under.size(), join(under)),
          "bring the missing replicas back in sync; lowering min.insync.replicas trades "
          "durability for availability"};
}

std::vector<std::pair<const std::vector<klab::cluster::MetricSample>*,
                      const std::vector<klab::cluster::MetricSample>*>>
paired_metrics(const DoctorSnapshot& s) {
  std::vector<std::pair<const std::vector<klab::cluster::MetricSample>*,
                        const std::vector<klab::cluster::MetricSample>*>>
      pairs;
  for (std::size_t i = 0; i < s.metrics_before.size() && i < s.metrics_after.size(); ++i)
    if (!s.metrics_before[i].empty() && !s.metrics_after[i].empty())
      pairs.emplace_back(&s.metrics_before[i], &s.metrics_after[i]);
  return pairs;
}

DoctorFinding controller_check(const DoctorSnapshot& s) {
  const std::string name = "active controller";
  if (!s.quorum)
    return {name, Status::fail,
            "no KRaft leader answered" +
                (s.quorum_error.empty() ? std::string() : " (" + s.quorum_error + ")"),
            "a majority of the controller quorum must run: start the stopped controllers "
            "(`klab status`)"};
  double active = 0;
  auto pairs = paired_metrics(s);
  for (const auto& [before, after] : pairs)
    active += klab::cluster::sum_metric(*after, "kafka_controller_active_controller_count");
  if (!pairs.empty() && active != 1)
    return {name, Status::fail,
            fmt::format("{} brokers report ActiveControllerCount {} (must total 1)", pairs.size(),
                        active),
            "two controllers believe they lead, or none does: check the controllers' logs"};
  return ok(name,
            fmt::format("node {} leads epoch {}{}", s.quorum->leader_id, s.quorum->leader_epoch,
                        pairs.empty() ? "" : ", ActiveControllerCount totals 1"));
}

DoctorFinding quorum_lag_check(const DoctorSnapshot& s, const DoctorThresholds& t) {
  const std::string name = "quorum lag";
  if (!s.quorum) return {name, Status::skipped, "no quorum status", ""};
  auto lag = s.quorum->max_follower_lag;
  auto lag_ms = s.quorum->max_follower_lag_time_ms;
  if (lag > t.max_quorum_lag || lag_ms > t.max_quorum_lag_time.count())
    return {name, Status::warn,
            fmt::format("a follower trails the metadata log by {} records and last caught up "
                        "{} ms ago",
                        lag, lag_ms),
            "`kafka-metadata-quorum describe --replication` names it; a paused or overloaded "
            "controller falls behind and cannot take over"};
  return ok(name, fmt::format("max follower lag {} records, {} ms", lag, lag_ms));
}

DoctorFinding isr_churn_check(const DoctorSnapshot& s) {
  const std::string name = "ISR shrink/expand";
  auto pairs = paired_metrics(s);
  if (pairs.empty()) return {name, Status::skipped, "no broker metrics", ""};
  double shrinks = 0, expands = 0;
  for (const auto& [before, after] : pairs) {
    shrinks += klab::cluster::sum_metric(*after, "kafka_server_isr_shrinks_total") -
               klab::cluster::sum_metric(*before, "kafka_server_isr_shrinks_total");
    expands += klab::cluster::sum_metric(*after, "kafka_server_isr_expands_total") -
               klab::cluster::sum_metric(*before, "kafka_server_isr_expands_total");
  }
  auto seconds = std::chrono::duration<double>(s.interval).count();
  if (shrinks > 0 || expands > 0)
    return {name, Status::warn,
            fmt::format("{} shrink(s) and {} expand(s) in {:.1f} s", shrinks, expands, seconds),
            "replicas keep falling out of sync: a slow or restarting broker, or "
            "replica.lag.time.max.ms too low for the load"};
  return ok(name, fmt::format("no change in {:.1f} s", seconds));
}

DoctorFinding idle_check(const DoctorSnapshot& s, const DoctorThresholds& t) {
  const std::string name = "request handler idle";
  auto pairs = paired_metrics(s);
  std::optional<double> lowest;
  int warming = 0;
  auto now_s = std::chrono::duration<double>(s.taken_at.time_since_epoch()).count();
  for (const auto& [before, after] : pairs) {
    auto v = klab::cluster::find_metric(*after, "kafka_server_request_handler_idle_ratio");
    if (!v) continue;
    // A one-minute rate starts at 0: a broker up for less than a minute looks saturated.
    auto started = klab::cluster::find_metric(*after, "process_start_time_seconds");
    if (started && now_s - *started < 60) {
      ++warming;
      continue;
    }
    lowest = std::min(lowest.value_or(*v), *v);
  }
  if (!lowest)
    return {name, Status::skipped,
            warming ? fmt::format("{} broker(s) up for less than a minute: the one-minute "
                                  "rate is not meaningful yet",
                                  warming)
                    : "no broker metrics",
            ""};
  if (*lowest < t.min_request_handler_idle)
    return {
        name, Status::warn,
        fmt::format("lowest idle ratio {:.2f} (below {:.2f})", *lowest, t.min_request_handler_idle),
        "the I/O threads are busy: raise num.io.threads, or find the requests that take "
        "longest (kafka_network_request_total_time_ms)"};
  return ok(name, fmt::format("lowest idle ratio {:.2f}", *lowest));
}

DoctorFinding disk_check(const DoctorSnapshot& s, const DoctorThresholds& t) {
  const std::string name = "disk use";
  if (s.disk_use.empty()) return {name, Status::skipped, "no data directories known", ""};
  std::vector<std::string> full;
  double highest = 0;
  for (const auto& [dir, use] : s.disk_use) {
    highest = std::max(highest, use);
    if (use > t.max_disk_use) full.push_back(fmt::format("{} {:.0f}%", dir, use * 100));
  }
  if (!full.empty())
    return {name, Status::fail,
            fmt::format("above {:.0f}% used: {}", t.max_disk_use * 100, join(full)),
            "a full disk stops the broker: lower retention.ms / retention.bytes, delete unused "
            "topics, or add space"};
  return ok(name, fmt::format("highest {:.0f}% used", highest * 100));
}

DoctorFinding lag_check(const DoctorSnapshot& s, const DoctorThresholds& t) {
  const std::string name = "consumer lag growing";
  if (!s.group_lag_error.empty())
    return {name, Status::skipped, "groups not listed: " + s.group_lag_error, ""};
  std::vector<std::string> growing;
  for (const auto& [group, lag] : s.group_lag)
    if (lag.second - lag.first > t.min_lag_growth)
      growing.push_back(fmt::format("{} {} -> {}", group, lag.first, lag.second));
  if (!growing.empty())
    return {name, Status::warn,
            fmt::format("{} group(s) fall further behind: {}", growing.size(), join(growing)),
            "consumers are slower than producers or stopped: `klab groups describe GROUP`; add "
            "consumers (up to the partition count) or make processing faster"};
  return ok(name, fmt::format("{} group(s), none falling behind", s.group_lag.size()));
}

std::vector<std::vector<klab::cluster::MetricSample>> scrape_all(
    const std::vector<std::string>& urls, std::string& error) {
  std::vector<std::vector<klab::cluster::MetricSample>> out;
  for (const auto& url : urls) {
    out.emplace_back();
    // A busy exporter can miss one answer; a broker that is down misses both.
    for (int attempt = 0; attempt < 2 && out.back().empty(); ++attempt) {
      try {
        out.back() = klab::cluster::scrape_metrics(url, 10s);
      } catch (const std::exception& e) {
        error = e.what();
      }
    }
  }
  return out;
}

// Total lag per consumer group; empty with `error` set when the groups cannot be listed
// (ListGroups asks every broker, so one broker down fails it).
std::map<std::string, std::int64_t> total_lag(klab::client::Admin& admin, std::string& error) {
  std::map<std::string, std::int64_t> totals;
  std::vector<klab::client::GroupDescription> groups;
  try {
    groups = admin.list_groups(10s);
  } catch (const klab::KafkaException& e) {
    error = e.error().to_string();
    return totals;
  }
  for (const auto& g : groups) {
    if (g.protocol_type != "consumer" && !g.protocol_type.empty()) continue;
    try {
      std::int64_t sum = 0;
      for (const auto& p : group_lag(admin, g.group_id, 10s)) sum += p.lag;
      totals[g.group_id] = sum;
    } catch (const klab::KafkaException&) {
      // a group deleted between the two calls
    }
  }
  return totals;
}

}  // namespace

std::vector<DoctorFinding> evaluate(const DoctorSnapshot& s, const DoctorThresholds& t) {
  return {partitions_check(s), offline_check(s),       min_isr_check(s),
          controller_check(s), quorum_lag_check(s, t), isr_churn_check(s),
          idle_check(s, t),    disk_check(s, t),       lag_check(s, t)};
}

DoctorSources doctor_sources(const klab::cluster::LabPaths& paths,
                             const klab::cluster::ClusterTarget& target) {
  DoctorSources sources{klab::cluster::client_config(target),
                        target.bootstrap,
                        target.properties_file,
                        std::nullopt,
                        klab::cluster::metrics_urls(paths),
                        {}};
  try {
    sources.runtime = klab::cluster::KafkaRuntime::locate(paths);
  } catch (const klab::cluster::ClusterError&) {
    // no jars: the quorum check reports it is skipped
  }
  if (!target.external) {
    auto cluster = lab_cluster(paths);
    for (int id = 1; id <= cluster.node_count(); ++id)
      sources.data_dirs.push_back(cluster.node_dir(id) / "data");
  }
  return sources;
}

DoctorSnapshot collect(const DoctorSources& sources, std::chrono::milliseconds interval,
                       const std::function<void()>& after_first_sample) {
  DoctorSnapshot s;
  s.interval = interval;
  s.taken_at = std::chrono::system_clock::now();
  klab::client::Admin admin(sources.client);
  auto lag_before = total_lag(admin, s.group_lag_error);
  s.metrics_before = scrape_all(sources.metrics_urls, s.metrics_error);
  const auto first_scrape = std::chrono::steady_clock::now();
  auto started = first_scrape;
  if (after_first_sample) {
    after_first_sample();
    // The window runs from the end of the caller's step: what the step set off (a leader
    // taking a replica back into its ISR) is counted by the brokers within it.
    started = std::chrono::steady_clock::now();
  }

  s.topics = admin.describe_topics(admin.list_topics(true, 10s), 10s);
  for (const auto& t : s.topics) {
    try {
      for (const auto& c : admin.describe_topic_config(t.name, 10s))
        if (c.name == "min.insync.replicas" && c.value)
          s.min_insync_replicas[t.name] = std::stoi(*c.value);
    } catch (const klab::KafkaException&) {
      // the partition leader that answers configs may be the one that is down
    }
  }
  if (sources.runtime) {
    try {
      s.quorum = klab::cluster::describe_quorum(*sources.runtime, sources.bootstrap,
                                                sources.command_config, 20s);
    } catch (const klab::cluster::ClusterError& e) {
      s.quorum_error = e.what();
    }
  }
  for (const auto& dir : sources.data_dirs) {
    struct statvfs fs {};
    // As df computes Use%: used over what non-root users can have (used + available).
    if (statvfs(dir.c_str(), &fs) == 0 && fs.f_blocks > fs.f_bfree) {
      auto used = static_cast<double>(fs.f_blocks - fs.f_bfree);
      s.disk_use[dir.string()] = used / (used + static_cast<double>(fs.f_bavail));
    }
  }

  std::this_thread::sleep_until(started + interval);  // the second sample, for rates and trends
  s.metrics_after = scrape_all(sources.metrics_urls, s.metrics_error);
  s.interval = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - first_scrape);
  auto lag_after = total_lag(admin, s.group_lag_error);
  for (const auto& [group, after] : lag_after)
    if (auto it = lag_before.find(group); it != lag_before.end())
      s.group_lag[group] = {it->second, after};
  return s;
}

std::string_view to_string(DoctorFinding::Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::warn:
      return "warn";
    case Status::fail:
      return "fail";
    case Status::skipped:
      return "skipped";
  }
  return "?";
}

bool needs_attention(const std::vector<DoctorFinding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const auto& f) {
    return f.status == Status::warn || f.status == Status::fail;
  });
}

}  // namespace klab::lab
