#include "klab/client/read_to_end.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include "klab/client/consumer.hpp"

namespace klab::client {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  return std::max(1ms,
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

// Calls `f` until it does not throw a retriable error (or `may_retry` says so) or the deadline.
template <typename F>
auto with_retries(Clock::time_point deadline, F&& f,
                  const std::function<bool(const Error&)>& may_retry = {}) {
  for (;;) {
    try {
      return f();
    } catch (const KafkaException& e) {
      bool again = e.error().retriable() || is_retriable(e.error().code()) ||
                   (may_retry && may_retry(e.error()));
      if (!again || Clock::now() + 100ms >= deadline) throw;
    }
    std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

ReadToEndResult read_to_end(const Config& config, const std::string& topic,
                            const std::function<void(const Record&)>& visit,
                            const ReadToEndOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  Config c = config;
  if (auto g = c.effective(keys::group_id); !g || g->empty())
    c.group_id(throwaway_group_id("reader"));
  c.enable_auto_commit(false);
  c.enable_partition_eof(true);
  c.auto_offset_reset(OffsetReset::earliest);  // only if retention moves the start meanwhile
  Consumer consumer(c);
  // The ends come from a read_uncommitted handle when the log end is wanted: librdkafka asks
  // ListOffsets with the handle's isolation.level.
  std::optional<Consumer> probe;
  if (options.until == ReadToEndOptions::Until::log_end &&
      c.effective(keys::isolation_level) != "read_uncommitted") {
    Config pc = c;
    pc.isolation_level(IsolationLevel::read_uncommitted);
    probe.emplace(pc);
  }
  const Consumer& ends_from = probe ? *probe : consumer;

  std::vector<TopicPartition> from = options.from;
  if (from.empty()) {
    // A broker learns of a topic created a moment ago a little after the controller.
    const auto missing_grace =
        Clock::now() + std::min<std::chrono::milliseconds>(2s, options.timeout);
    auto partitions = with_retries(
        deadline, [&] { return consumer.partitions_for(topic, left_until(deadline)); },
        [&](const Error& e) {
          return e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && Clock::now() < missing_grace;
        });
    for (const auto& p : partitions) from.push_back({topic, p.id, 0});
  }

  struct Progress {
    std::int64_t end = 0, next = 0;
  };
  std::map<std::int32_t, Progress> open;
  ReadToEndResult result;
  std::vector<TopicPartition> assignment;
  for (const auto& tp : from) {
    auto w = with_retries(deadline, [&] {
      return ends_from.query_watermark_offsets(topic, tp.partition, left_until(deadline));
    });
    result.ends[tp.partition] = w.high;
    auto start = std::max(tp.offset, w.low);
    if (start >= w.high) continue;
    open[tp.partition] = {w.high, start};
    assignment.push_back({topic, tp.partition, start});
  }
  if (open.empty()) return result;

  consumer.assign(assignment);
  Error last_error;
  while (!open.empty() && Clock::now() < deadline) {
    auto r = consumer.poll(std::min<std::chrono::milliseconds>(200ms, left_until(deadline)));
    if (!r) continue;
    auto it = open.find(r->partition());
    if (r->error()) {
      if (r->error() == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // Transaction markers at the tail never arrive as records: the event says we are there.
        if (it != open.end() && r->offset() >= it->second.end) open.erase(it);
        continue;
      }
      if (r->error().fatal()) throw KafkaException(r->error(), "reading " + topic);
      if (!options.on_error) throw KafkaException(r->error(), "reading " + topic);
      last_error = r->error();
      options.on_error(r->error());
      continue;
    }
    if (r->topic() != topic || it == open.end()) continue;
    if (r->offset() >= it->second.end) {  // written after the ends were captured: not ours
      open.erase(it);
      continue;
    }
    visit(*r);
    ++result.records;
    it->second.next = r->offset() + 1;
    if (it->second.next >= it->second.end) open.erase(it);
  }
  if (!open.empty()) {
    std::ostringstream msg;
    msg << "reading '" << topic << "' did not reach its end within " << options.timeout.count()
        << " ms (" << result.records << " record(s) read); short:";
    for (const auto& [p, pr] : open)
      msg << " partition " << p << " at offset " << pr.next << " (end " << pr.end << ");";
    if (c.effective(keys::isolation_level) == "read_committed")
      msg << " read_committed (librdkafka's default): an open transaction holds reads back;";
    if (last_error) msg << " last consumer error: " << last_error.to_string();
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT, msg.str()), "read_to_end");
  }
  return result;
}

}  // namespace klab::client
