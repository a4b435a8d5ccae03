#include "klab/client/producer_stats.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "klab/client/error.hpp"

namespace klab::client {
namespace {
using nlohmann::json;

[[noreturn]] void bad_field(const std::string& path, std::string_view problem) {
  throw KafkaException(Error(RD_KAFKA_RESP_ERR__BAD_MSG,
                             "statistics JSON: field " + path + " " + std::string(problem)));
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

// `obj[key]`, which must exist; `path` names obj in error messages.
const json& field(const json& obj, const std::string& path, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) bad_field(child_path(path, key), "is missing");
  return *it;
}

const json& object_field(const json& obj, const std::string& path, std::string_view key) {
  const json& v = field(obj, path, key);
  if (!v.is_object()) bad_field(child_path(path, key), "is not an object");
  return v;
}

std::int64_t int_field(const json& obj, const std::string& path, std::string_view key) {
  const json& v = field(obj, path, key);
  // librdkafka prints unsigned counters with PRIu64: they parse as unsigned, still integers.
  if (!v.is_number_integer()) bad_field(child_path(path, key), "is not an integer");
  return v.get<std::int64_t>();
}

std::string string_field(const json& obj, const std::string& path, std::string_view key) {
  const json& v = field(obj, path, key);
  if (!v.is_string()) bad_field(child_path(path, key), "is not a string");
  return v.get<std::string>();
}

std::string entry_path(std::string_view parent, const std::string& key) {
  return std::string(parent) + "[\"" + key + "\"]";
}

WindowStats window_of(const json& obj, const std::string& path, std::string_view key) {
  const json& w = object_field(obj, path, key);
  auto p = child_path(path, key);
  WindowStats s;
  s.min = int_field(w, p, "min");
  s.max = int_field(w, p, "max");
  s.avg = int_field(w, p, "avg");
  s.sum = int_field(w, p, "sum");
  s.cnt = int_field(w, p, "cnt");
  s.p50 = int_field(w, p, "p50");
  s.p75 = int_field(w, p, "p75");
  s.p90 = int_field(w, p, "p90");
  s.p95 = int_field(w, p, "p95");
  s.p99 = int_field(w, p, "p99");
  s.p99_99 = int_field(w, p, "p99_99");
  return s;
}

BrokerStats broker_of(const json& b, const std::string& path) {
  BrokerStats s;
  s.name = string_field(b, path, "name");
  s.node_id = static_cast<std::int32_t>(int_field(b, path, "nodeid"));
  s.state = string_field(b, path, "state");
  s.tx = int_field(b, path, "tx");
  s.txretries = int_field(b, path, "txretries");
  s.txerrs = int_field(b, path, "txerrs");
  s.waitresp_cnt = int_field(b, path, "waitresp_cnt");
  s.outbuf_cnt = int_field(b, path, "outbuf_cnt");
  const json& req = object_field(b, path, "req");
  // librdkafka filters Produce out of a consumer's counters; absent means none were sent.
  if (req.contains("Produce")) s.produce_requests = int_field(req, path + ".req", "Produce");
  s.rtt = window_of(b, path, "rtt");
  s.int_latency = window_of(b, path, "int_latency");
  s.outbuf_latency = window_of(b, path, "outbuf_latency");
  return s;
}

TopicStats topic_of(const std::string& name, const json& t, const std::string& path) {
  TopicStats s;
  s.name = name;
  s.batchsize = window_of(t, path, "batchsize");
  s.batchcnt = window_of(t, path, "batchcnt");
  for (const auto& [key, p] : object_field(t, path, "partitions").items()) {
    auto pp = entry_path(path + ".partitions", key);
    if (!p.is_object()) bad_field(pp, "is not an object");
    PartitionStats ps;
    ps.partition = static_cast<std::int32_t>(int_field(p, pp, "partition"));
    if (ps.partition < 0) continue;  // the internal unassigned partition
    ps.txmsgs = int_field(p, pp, "txmsgs");
    ps.txbytes = int_field(p, pp, "txbytes");
    ps.msgq_cnt = int_field(p, pp, "msgq_cnt");
    ps.xmit_msgq_cnt = int_field(p, pp, "xmit_msgq_cnt");
    s.partitions.push_back(ps);
  }
  // JSON keys sort as text ("10" before "2"); learners expect partition order.
  std::sort(s.partitions.begin(), s.partitions.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return s;
}

}  // namespace

std::int64_t ProducerStats::produce_requests() const {
  std::int64_t n = 0;
  for (const auto& b : brokers) n += b.produce_requests;
  return n;
}

std::int64_t ProducerStats::in_flight() const {
  std::int64_t n = 0;
  for (const auto& b : brokers) n += b.waitresp_cnt;
  return n;
}

double ProducerStats::compression_ratio() const {
  if (tx_bytes <= 0 || txmsg_bytes <= 0) return 0.0;
  return static_cast<double>(txmsg_bytes) / static_cast<double>(tx_bytes);
}

double ProducerStats::avg_records_per_request() const {
  auto requests = produce_requests();
  if (requests <= 0) return 0.0;
  return static_cast<double>(txmsgs) / static_cast<double>(requests);
}

ProducerStats ProducerStats::parse(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__BAD_MSG, std::string("statistics are not JSON: ") + e.what()));
  }
  if (!doc.is_object())
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__BAD_MSG, "statistics JSON: the document is not an object"));

  ProducerStats s;
  const std::string top;
  s.ts_us = int_field(doc, top, "ts");
  s.msg_cnt = int_field(doc, top, "msg_cnt");
  s.msg_size = int_field(doc, top, "msg_size");
  s.txmsgs = int_field(doc, top, "txmsgs");
  s.txmsg_bytes = int_field(doc, top, "txmsg_bytes");
  s.tx = int_field(doc, top, "tx");
  s.tx_bytes = int_field(doc, top, "tx_bytes");

  for (const auto& [key, b] : object_field(doc, top, "brokers").items()) {
    auto path = entry_path("brokers", key);
    if (!b.is_object()) bad_field(path, "is not an object");
    // Bootstrap entries (-1) carry only metadata traffic; skip them before demanding fields.
    if (int_field(b, path, "nodeid") < 0) continue;
    s.brokers.push_back(broker_of(b, path));
  }
  std::sort(s.brokers.begin(), s.brokers.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  for (const auto& b : s.brokers) s.txretries += b.txretries;

  for (const auto& [key, t] : object_field(doc, top, "topics").items()) {
    auto path = entry_path("topics", key);
    if (!t.is_object()) bad_field(path, "is not an object");
    s.topics.push_back(topic_of(key, t, path));
  }
  return s;
}

struct StatsCollector::State {
  mutable std::mutex mutex;
  std::condition_variable arrived;
  std::optional<ProducerStats> latest;
  std::chrono::steady_clock::time_point latest_at{};
  std::int64_t samples = 0;
  std::int64_t max_in_flight = 0;
  std::int64_t max_batch_bytes = 0;
};

StatsCollector::StatsCollector() : state_(std::make_shared<State>()) {}

StatisticsHandler StatsCollector::handler() const {
  // Captures the shared state, not `this`: the collector may be a temporary or moved.
  return [self = *this](std::string_view json) mutable { self.add(json); };
}

void StatsCollector::add(std::string_view json) {
  auto stats = ProducerStats::parse(json);  // outside the lock: parsing is the slow part
  {
    std::lock_guard lock(state_->mutex);
    state_->max_in_flight = std::max(state_->max_in_flight, stats.in_flight());
    for (const auto& t : stats.topics)
      state_->max_batch_bytes = std::max(state_->max_batch_bytes, t.batchsize.max);
    state_->latest = std::move(stats);
    state_->latest_at = std::chrono::steady_clock::now();
    ++state_->samples;
  }
  state_->arrived.notify_all();
}

std::optional<ProducerStats> StatsCollector::latest() const {
  std::lock_guard lock(state_->mutex);
  return state_->latest;
}

std::int64_t StatsCollector::samples() const {
  std::lock_guard lock(state_->mutex);
  return state_->samples;
}

std::int64_t StatsCollector::max_in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->max_in_flight;
}

std::int64_t StatsCollector::max_batch_bytes() const {
  std::lock_guard lock(state_->mutex);
  return state_->max_batch_bytes;
}

std::optional<ProducerStats> StatsCollector::await_sample_after(
    std::chrono::steady_clock::time_point after, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  bool fresh = state_->arrived.wait_for(
      lock, timeout, [&] { return state_->latest && state_->latest_at > after; });
  if (!fresh) return std::nullopt;
  return state_->latest;
}

}  // namespace klab::client
