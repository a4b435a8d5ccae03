#include "klab/client/producer_stats.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "klab/client/error.hpp"
#include "stats_json.hpp"

namespace klab::client {
namespace {
using nlohmann::json;
using namespace detail;

TopicStats producer_topic_of(const std::string& name, const json& t, const std::string& path) {
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
  json doc = parse_document(text);

  ProducerStats s;
  const std::string top;
  s.ts_us = int_field(doc, top, "ts");
  s.msg_cnt = int_field(doc, top, "msg_cnt");
  s.msg_size = int_field(doc, top, "msg_size");
  s.txmsgs = int_field(doc, top, "txmsgs");
  s.txmsg_bytes = int_field(doc, top, "txmsg_bytes");
  s.tx = int_field(doc, top, "tx");
  s.tx_bytes = int_field(doc, top, "tx_bytes");

  s.brokers = brokers_of(doc);
  for (const auto& b : s.brokers) s.txretries += b.txretries;

  for (const auto& [key, t] : object_field(doc, top, "topics").items()) {
    auto path = entry_path("topics", key);
    if (!t.is_object()) bad_field(path, "is not an object");
    s.topics.push_back(producer_topic_of(key, t, path));
  }
  return s;
}

void ProducerSummary::update(const ProducerStats& stats) {
  max_in_flight = std::max(max_in_flight, stats.in_flight());
  for (const auto& t : stats.topics) max_batch_bytes = std::max(max_batch_bytes, t.batchsize.max);
}

}  // namespace klab::client
