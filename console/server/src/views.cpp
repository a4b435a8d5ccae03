#include "views.hpp"

#include <fmt/core.h>

#include <algorithm>

namespace klab::console {

using nlohmann::json;

namespace {

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

const BrokerMetrics* broker_metrics(const MetricsState& m, std::int32_t id) {
  for (const auto& b : m.brokers)
    if (b.id == id) return &b;
  return nullptr;
}

json quorum_json(const MetricsState& m) {
  if (!m.available) return nullptr;
  std::optional<double> leader, epoch;
  for (const auto& b : m.brokers)
    if (b.up && b.raft_leader && *b.raft_leader >= 0) {
      if (!epoch || (b.raft_epoch && *b.raft_epoch > *epoch)) {
        leader = b.raft_leader;
        epoch = b.raft_epoch;
      }
    }
  if (!leader) return nullptr;
  const BrokerMetrics* l = broker_metrics(m, static_cast<std::int32_t>(*leader));
  std::optional<double> leader_end = l ? l->raft_log_end_offset : std::nullopt;
  auto voters = json::array();
  for (const auto& b : m.brokers) {
    if (!b.up || !b.raft_log_end_offset) continue;
    json lag = leader_end ? json(std::int64_t(std::max(0.0, *leader_end - *b.raft_log_end_offset)))
                          : json(nullptr);
    voters.push_back(
        {{"id", b.id}, {"log_end_offset", std::int64_t(*b.raft_log_end_offset)}, {"lag", lag}});
  }
  auto to_int = [](const std::optional<double>& v) -> json {
    return v ? json(std::int64_t(*v)) : json(nullptr);
  };
  return {{"leader_id", std::int64_t(*leader)},
          {"epoch", to_int(epoch)},
          {"high_watermark", to_int(l ? l->raft_high_watermark : std::nullopt)},
          {"voters", voters}};
}

json rates_json(const std::optional<Rates>& r, double Rates::*field) {
  return r ? json((*r).*field) : json(nullptr);
}

}  // namespace

json overview_json(const Snapshot& s, const MetricsState& m, const std::vector<std::string>& urls) {
  json warnings = json::array();
  for (const auto& w : s.warnings)
    warnings.push_back({{"level", s.reachable ? "warning" : "error"}, {"message", w}});
  if (!urls.empty() && m.at_ms > 0 && !m.available && s.reachable)
    warnings.push_back({{"level", "warning"}, {"message", "broker metrics: " + m.reason}});

  json brokers = json::array();
  for (const auto& b : s.brokers) {
    const BrokerMetrics* bm = broker_metrics(m, b.id);
    bool exporter_down = bm && m.at_ms > 0 && !bm->up;
    bool up = s.reachable && b.in_metadata && !exporter_down;
    if (exporter_down && s.reachable && b.in_metadata)
      warnings.push_back({{"level", "warning"},
                          {"message", fmt::format("broker {}: its metrics exporter at {} does not "
                                                  "answer ({}): the node may be down or stuck",
                                                  b.id, bm->url, bm->error)}});
    brokers.push_back({{"id", b.id},
                       {"host", b.host},
                       {"port", b.port},
                       {"rack", nullptr},
                       {"up", up},
                       {"metrics_url", bm ? json(bm->url) : json(nullptr)}});
  }

  std::int64_t partitions = 0, replicas = 0, under = 0, offline = 0, messages = 0;
  for (const auto& [name, t] : s.topics)
    for (const auto& p : t.partitions) {
      ++partitions;
      replicas += static_cast<std::int64_t>(p.replicas.size());
      under += p.under_replicated();
      offline += p.offline();
      messages += p.messages();
    }
  return {{"cluster_id", s.cluster_id.empty() ? json(nullptr) : json(s.cluster_id)},
          {"kafka_version", or_null(m.kafka_version)},
          {"controller_id", s.controller_id},
          {"reachable", s.reachable},
          {"refreshed_at_ms", s.refreshed_at_ms},
          {"brokers", brokers},
          {"quorum", quorum_json(m)},
          {"totals",
           {{"brokers", s.brokers.size()},
            {"topics", s.topics.size()},
            {"partitions", partitions},
            {"replicas", replicas},
            {"under_replicated", under},
            {"offline", offline},
            {"groups", s.groups.size()},
            {"messages", messages}}},
          {"warnings", warnings}};
}

json topics_json(const Snapshot& s, const MetricsState& m, bool include_internal) {
  json topics = json::array();
  for (const auto& [name, t] : s.topics) {
    if (t.internal && !include_internal) continue;
    std::int64_t under = 0, offline = 0, messages = 0;
    for (const auto& p : t.partitions) {
      under += p.under_replicated();
      offline += p.offline();
      messages += p.messages();
    }
    auto size = m.topic_size_bytes.find(name);
    topics.push_back(
        {{"name", name},
         {"internal", t.internal},
         {"partitions", t.partitions.size()},
         {"replication_factor", t.partitions.empty() ? 0 : t.partitions.front().replicas.size()},
         {"under_replicated", under},
         {"offline", offline},
         {"messages", messages},
         {"size_bytes",
          size == m.topic_size_bytes.end() ? json(nullptr) : json(std::int64_t(size->second))}});
  }
  return {{"topics", topics}};
}

json partitions_json(const TopicState& t) {
  json out = json::array();
  for (const auto& p : t.partitions)
    out.push_back({{"partition", p.id},
                   {"leader", p.leader},
                   {"replicas", p.replicas},
                   {"isr", p.isr},
                   {"low", p.low},
                   {"high", p.high},
                   {"messages", p.messages()},
                   {"under_replicated", p.under_replicated()}});
  return out;
}

json groups_json(const Snapshot& s) {
  json groups = json::array();
  for (const auto& g : s.groups)
    groups.push_back({{"group_id", g.description.group_id},
                      {"state", g.description.state},
                      {"protocol_type", g.description.protocol_type},
                      {"protocol", g.description.protocol},
                      {"members", g.description.members.size()},
                      {"total_lag", g.total_lag},
                      {"topics", g.topics()}});
  return {{"groups", groups}};
}

namespace {
json timeline_json(const std::vector<TimelineEntry>& timeline) {
  json out = json::array();
  for (const auto& e : timeline) {
    json members = json::array();
    for (const auto& m : e.members)
      members.push_back(
          {{"member_id", m.member_id}, {"client_id", m.client_id}, {"partitions", m.partitions}});
    json moved = json::array();
    for (const auto& mv : e.moved)
      moved.push_back({{"partition", mv.partition}, {"from", mv.from}, {"to", mv.to}});
    out.push_back({{"t_ms", e.t_ms},
                   {"state", e.state},
                   {"members", members},
                   {"joined", e.joined},
                   {"left", e.left},
                   {"moved", moved}});
  }
  return out;
}
}  // namespace

json group_json(const GroupState& g, const std::vector<LagPoint>& history,
                const std::vector<TimelineEntry>& timeline) {
  json members = json::array();
  for (const auto& m : g.description.members) {
    json assignment = json::array();
    for (const auto& tp : m.assignment)
      assignment.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
    members.push_back({{"member_id", m.member_id},
                       {"client_id", m.client_id},
                       {"host", m.client_host},
                       {"assignment", assignment}});
  }
  json offsets = json::array();
  for (const auto& o : g.offsets)
    offsets.push_back({{"topic", o.topic},
                       {"partition", o.partition},
                       {"committed", or_null(o.committed)},
                       {"end", o.end},
                       {"lag", o.lag}});
  json lag_history = json::array();
  for (const auto& p : history) lag_history.push_back({{"t_ms", p.t_ms}, {"lag", p.lag}});
  return {{"group_id", g.description.group_id},
          {"state", g.description.state},
          {"protocol_type", g.description.protocol_type},
          {"protocol", g.description.protocol},
          {"coordinator", g.description.coordinator_id},
          {"members", members},
          {"offsets", offsets},
          {"total_lag", g.total_lag},
          {"lag_history", lag_history},
          {"timeline", timeline_json(timeline)}};
}

json metrics_json(const MetricsState& m) {
  json brokers = json::array();
  for (const auto& b : m.brokers) {
    json latency = json::object();
    for (const auto& [request, l] : b.request_latency_ms)
      latency[request] = {{"p50", or_null(l.p50)}, {"p99", or_null(l.p99)}};
    brokers.push_back({{"id", b.id},
                       {"url", b.url},
                       {"up", b.up},
                       {"error", b.error.empty() ? json(nullptr) : json(b.error)},
                       {"messages_in_per_sec", rates_json(b.rates, &Rates::messages_in)},
                       {"bytes_in_per_sec", rates_json(b.rates, &Rates::bytes_in)},
                       {"bytes_out_per_sec", rates_json(b.rates, &Rates::bytes_out)},
                       {"under_replicated", or_null(b.under_replicated)},
                       {"offline_partitions", or_null(b.offline_partitions)},
                       {"active_controller", or_null(b.active_controller)},
                       {"request_handler_idle_ratio", or_null(b.request_handler_idle_ratio)},
                       {"request_latency_ms", latency}});
  }
  json topics = json::array();
  for (const auto& [name, r] : m.topics) {
    auto total = m.topic_messages_total.find(name);
    topics.push_back({{"topic", name},
                      {"messages_in_per_sec", r.messages_in},
                      {"messages_in_total",
                       total == m.topic_messages_total.end() ? json(nullptr) : json(total->second)},
                      {"bytes_in_per_sec", r.bytes_in},
                      {"bytes_out_per_sec", r.bytes_out}});
  }
  return {{"available", m.available},
          {"reason", m.available ? json(nullptr) : json(m.reason)},
          {"at_ms", m.at_ms},
          {"brokers", brokers},
          {"topics", topics}};
}

json metrics_history_json(const std::vector<MetricsPoint>& history) {
  json t_ms = json::array();
  json brokers = json::object(), topics = json::object();
  // Series stay aligned with t_ms: a broker or topic missing at a point gets 0 there.
  for (std::size_t i = 0; i < history.size(); ++i) {
    const auto& p = history[i];
    t_ms.push_back(p.t_ms);
    for (const auto& [id, r] : p.brokers) {
      auto& b = brokers[std::to_string(id)];
      for (const char* k : {"messages_in", "bytes_in", "bytes_out", "window_ms"})
        if (!b.contains(k)) b[k] = json(std::vector<double>(i, 0.0));
      b["messages_in"].push_back(r.messages_in);
      b["bytes_in"].push_back(r.bytes_in);
      b["bytes_out"].push_back(r.bytes_out);
      auto w = p.windows_ms.find(id);
      b["window_ms"].push_back(w == p.windows_ms.end() ? 0.0 : static_cast<double>(w->second));
    }
    for (const auto& [name, r] : p.topics) {
      auto& t = topics[name];
      for (const char* k : {"messages_in", "bytes_in"})
        if (!t.contains(k)) t[k] = json(std::vector<double>(i, 0.0));
      t["messages_in"].push_back(r.messages_in);
      t["bytes_in"].push_back(r.bytes_in);
    }
    for (auto& [id, b] : brokers.items())
      for (auto& [k, series] : b.items())
        while (series.size() < i + 1) series.push_back(0.0);
    for (auto& [name, t] : topics.items())
      for (auto& [k, series] : t.items())
        while (series.size() < i + 1) series.push_back(0.0);
  }
  return {{"t_ms", t_ms}, {"brokers", brokers}, {"topics", topics}};
}

}  // namespace klab::console
