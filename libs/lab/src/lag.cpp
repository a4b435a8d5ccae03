#include "klab/lab/lag.hpp"

#include <algorithm>
#include <map>

namespace klab::lab {

std::int64_t lag_of(std::int64_t committed, const klab::client::WatermarkOffsets& w) {
  if (committed >= 0) return std::max<std::int64_t>(0, w.high - committed);
  return std::max<std::int64_t>(0, w.high - w.low);
}

std::vector<PartitionLag> group_lag(klab::client::Admin& admin, const std::string& group,
                                    std::chrono::milliseconds timeout) {
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> committed;
  for (const auto& tp : admin.committed_offsets(group, {}, timeout))
    committed[{tp.topic, tp.partition}] = tp.offset;
  // Assigned partitions that never committed lag too: take them from the members.
  try {
    for (const auto& m : admin.describe_group(group, timeout).members)
      for (const auto& tp : m.assignment)
        committed.try_emplace({tp.topic, tp.partition}, klab::client::offset_invalid);
  } catch (const klab::KafkaException& e) {
    if (e.error().code() != RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) throw;
  }
  std::vector<PartitionLag> out;
  for (const auto& [tp, offset] : committed) {
    auto w = admin.watermark_offsets(tp.first, tp.second, timeout);
    out.push_back({tp.first, tp.second, offset, w.low, w.high, lag_of(offset, w)});
  }
  return out;  // std::map kept them sorted by topic, then partition
}

}  // namespace klab::lab
