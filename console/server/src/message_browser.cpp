#include "message_browser.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "api_error.hpp"
#include "klab/client/consumer.hpp"
#include "record_json.hpp"

namespace klab::console {

using namespace std::chrono_literals;
using klab::client::TopicPartition;

namespace {
constexpr auto browse_deadline = 15s;

struct Range {
  std::int64_t start = 0, stop = 0;  // read [start, stop)
};
}  // namespace

std::vector<std::int32_t> topic_partitions(ClusterAccess& access, const std::string& topic) {
  auto described = access.admin_call(
      [&](klab::client::Admin& a) { return a.describe_topics({topic}, request_timeout); });
  if (described.empty() || described.front().error)
    throw not_found(
        fmt::format("topic '{}' does not exist: check the name in the topic list", topic));
  std::vector<std::int32_t> ids;
  for (const auto& p : described.front().partitions) ids.push_back(p.id);
  return ids;
}

nlohmann::json browse_messages(ClusterAccess& access, const BrowseRequest& rq) {
  auto ids = topic_partitions(access, rq.topic);
  if (rq.partition) {
    if (std::find(ids.begin(), ids.end(), *rq.partition) == ids.end())
      throw not_found(fmt::format("topic '{}' has no partition {} (it has {} partitions: 0..{})",
                                  rq.topic, *rq.partition, ids.size(), ids.size() - 1));
    ids = {*rq.partition};
  }
  klab::client::Consumer consumer(access.reader_config("browse"));
  std::vector<TopicPartition> query;
  for (auto id : ids) query.push_back({rq.topic, id, klab::client::offset_beginning});
  access.count();
  auto lows = consumer.offsets_for_times(query, request_timeout);
  for (auto& tp : query) tp.offset = klab::client::offset_end;
  access.count();
  auto highs = consumer.offsets_for_times(query, request_timeout);
  std::vector<TopicPartition> at_time;
  if (rq.from == "timestamp") {
    for (auto& tp : query) tp.offset = *rq.timestamp_ms;
    access.count();
    at_time = consumer.offsets_for_times(query, request_timeout);
  }
  auto find = [](const std::vector<TopicPartition>& list, std::int32_t id) -> std::int64_t {
    for (const auto& tp : list)
      if (tp.partition == id && !tp.error) return tp.offset;
    return -1;
  };

  // With a search from the end, look further back than `limit` (within the scan cap).
  std::int64_t back = rq.query.empty()
                          ? rq.limit
                          : std::max<std::int64_t>(rq.limit, scan_cap / std::int64_t(ids.size()));
  std::map<std::int32_t, Range> ranges;
  for (auto id : ids) {
    std::int64_t low = std::max<std::int64_t>(0, find(lows, id));
    std::int64_t high = std::max(low, find(highs, id));
    Range r{low, high};
    if (rq.from == "end") {
      r.start = std::max(low, high - back);
    } else if (rq.from == "offset") {
      r.start = std::clamp(*rq.offset, low, high);
    } else if (rq.from == "timestamp") {
      auto o = find(at_time, id);
      r.start = o < 0 ? high : std::clamp(o, low, high);
    }
    if (r.start < r.stop) {
      ranges[id] = r;
    }
  }

  std::vector<nlohmann::json> found;
  std::int64_t scanned = 0;
  bool truncated = false;
  bool from_end = rq.from == "end";
  if (!ranges.empty()) {
    std::vector<TopicPartition> assignment;
    for (const auto& [id, r] : ranges) assignment.push_back({rq.topic, id, r.start});
    consumer.assign(assignment);
    access.count();                             // the fetches of this read
    std::map<std::int32_t, std::int64_t> next;  // next offset expected per partition
    for (const auto& [id, r] : ranges) next[id] = r.start;
    auto done = [&] {
      for (const auto& [id, r] : ranges)
        if (next[id] < r.stop) return false;
      return true;
    };
    auto deadline = std::chrono::steady_clock::now() + browse_deadline;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      if (scanned >= scan_cap || (!from_end && std::int64_t(found.size()) >= rq.limit)) {
        truncated = true;
        break;
      }
      for (auto& r : consumer.poll_batch(500, 200ms)) {
        if (r.error()) continue;  // e.g. a leader moving; the deadline bounds retries
        auto it = ranges.find(r.partition());
        if (it == ranges.end() || r.offset() >= it->second.stop || r.offset() < next[r.partition()])
          continue;
        next[r.partition()] = r.offset() + 1;
        if (scanned >= scan_cap) {
          truncated = true;
          continue;
        }
        ++scanned;
        if (!from_end && std::int64_t(found.size()) >= rq.limit) {
          truncated = true;
          continue;
        }
        if (rq.query.empty() || record_matches(r, rq.query, rq.field))
          found.push_back(record_json(r));
      }
    }
    if (!done()) truncated = true;
    consumer.close();
  }
  // The page reads records in time order; ties keep partition and offset order.
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tuple(a["timestamp_ms"].template get<std::int64_t>(),
                      a["partition"].template get<int>(),
                      a["offset"].template get<std::int64_t>()) <
           std::tuple(b["timestamp_ms"].template get<std::int64_t>(),
                      b["partition"].template get<int>(), b["offset"].template get<std::int64_t>());
  });
  if (from_end && std::int64_t(found.size()) > rq.limit) {
    found.erase(found.begin(), found.end() - rq.limit);
    truncated = true;
  }
  return {{"messages", found}, {"scanned", scanned}, {"truncated", truncated}};
}

}  // namespace klab::console
