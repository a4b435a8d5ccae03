#include "klab/client/consumer_stats.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "klab/client/error.hpp"
#include "stats_json.hpp"

namespace klab::client {
namespace {
using nlohmann::json;
using namespace detail;

ConsumerTopicStats consumer_topic_of(const std::string& name, const json& t,
                                     const std::string& path) {
  ConsumerTopicStats s;
  s.name = name;
  for (const auto& [key, p] : object_field(t, path, "partitions").items()) {
    auto pp = entry_path(path + ".partitions", key);
    if (!p.is_object()) bad_field(pp, "is not an object");
    ConsumerPartitionStats ps;
    ps.partition = static_cast<std::int32_t>(int_field(p, pp, "partition"));
    if (ps.partition < 0) continue;  // the internal unassigned partition
    ps.fetchq_cnt = int_field(p, pp, "fetchq_cnt");
    ps.fetchq_size = int_field(p, pp, "fetchq_size");
    ps.consumer_lag = int_field(p, pp, "consumer_lag");
    ps.rxmsgs = int_field(p, pp, "rxmsgs");
    ps.rxbytes = int_field(p, pp, "rxbytes");
    ps.committed_offset = int_field(p, pp, "committed_offset");
    ps.app_offset = int_field(p, pp, "app_offset");
    ps.fetch_state = string_field(p, pp, "fetch_state");
    s.partitions.push_back(std::move(ps));
  }
  // JSON keys sort as text ("10" before "2"); learners expect partition order.
  std::sort(s.partitions.begin(), s.partitions.end(),
            [](const auto& a, const auto& b) { return a.partition < b.partition; });
  return s;
}

ConsumerGroupStats cgrp_of(const json& g) {
  const std::string path = "cgrp";
  ConsumerGroupStats s;
  s.state = string_field(g, path, "state");
  s.join_state = string_field(g, path, "join_state");
  s.rebalance_cnt = int_field(g, path, "rebalance_cnt");
  s.assignment_size = int_field(g, path, "assignment_size");
  return s;
}

}  // namespace

std::int64_t ConsumerStats::fetch_requests() const {
  std::int64_t n = 0;
  for (const auto& b : brokers) n += b.fetch_requests;
  return n;
}

const ConsumerPartitionStats* ConsumerStats::partition(std::string_view topic,
                                                       std::int32_t partition) const {
  for (const auto& t : topics)
    if (t.name == topic)
      for (const auto& p : t.partitions)
        if (p.partition == partition) return &p;
  return nullptr;
}

ConsumerStats ConsumerStats::parse(std::string_view text) {
  json doc = parse_document(text);
  ConsumerStats s;
  const std::string top;
  s.ts_us = int_field(doc, top, "ts");
  s.rxmsgs = int_field(doc, top, "rxmsgs");
  s.rxmsg_bytes = int_field(doc, top, "rxmsg_bytes");
  s.rx = int_field(doc, top, "rx");
  s.rx_bytes = int_field(doc, top, "rx_bytes");
  s.brokers = brokers_of(doc);
  for (const auto& [key, t] : object_field(doc, top, "topics").items()) {
    auto path = entry_path("topics", key);
    if (!t.is_object()) bad_field(path, "is not an object");
    s.topics.push_back(consumer_topic_of(key, t, path));
  }
  // librdkafka writes "cgrp" only when the consumer has a group.
  if (doc.contains("cgrp")) s.cgrp = cgrp_of(object_field(doc, top, "cgrp"));
  return s;
}

}  // namespace klab::client
