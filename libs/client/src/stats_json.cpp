#include "stats_json.hpp"

#include <algorithm>

#include "klab/client/error.hpp"

namespace klab::client::detail {
using nlohmann::json;

[[noreturn]] void bad_field(const std::string& path, std::string_view problem) {
  throw KafkaException(Error(RD_KAFKA_RESP_ERR__BAD_MSG,
                             "statistics JSON: field " + path + " " + std::string(problem)));
}

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

json parse_document(std::string_view text) {
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
  return doc;
}

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

namespace {

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
  // librdkafka filters Produce out of a consumer's counters and Fetch out of a producer's;
  // absent means none were sent.
  if (req.contains("Produce")) s.produce_requests = int_field(req, path + ".req", "Produce");
  if (req.contains("Fetch")) s.fetch_requests = int_field(req, path + ".req", "Fetch");
  s.rtt = window_of(b, path, "rtt");
  s.int_latency = window_of(b, path, "int_latency");
  s.outbuf_latency = window_of(b, path, "outbuf_latency");
  return s;
}

}  // namespace

std::vector<BrokerStats> brokers_of(const json& doc) {
  std::vector<BrokerStats> out;
  for (const auto& [key, b] : object_field(doc, "", "brokers").items()) {
    auto path = entry_path("brokers", key);
    if (!b.is_object()) bad_field(path, "is not an object");
    // Bootstrap entries (-1) carry only metadata traffic; skip them before demanding fields.
    if (int_field(b, path, "nodeid") < 0) continue;
    // Logical entries ("GroupCoordinator", "TxnCoordinator") repeat a real broker's node id
    // for the connection that carries group / transaction requests; one entry per node keeps
    // the list a list of brokers.
    if (b.contains("source") && b["source"] == "logical") continue;
    out.push_back(broker_of(b, path));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.node_id < b.node_id; });
  return out;
}

}  // namespace klab::client::detail
