#include "cluster_snapshot.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "klab/client/consumer.hpp"
#include "klab/lab/lag.hpp"

namespace klab::console {

using namespace std::chrono_literals;
using klab::client::TopicPartition;

namespace {
// Short enough that a dead cluster does not stall the refresher for long.
constexpr std::chrono::milliseconds refresh_call_timeout{5000};
constexpr std::int64_t lag_history_ms = 30 * 60 * 1000;
}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const PartitionState* TopicState::partition(std::int32_t id) const {
  for (const auto& p : partitions)
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<std::string> GroupState::topics() const {
  std::set<std::string> names;
  for (const auto& o : offsets) names.insert(o.topic);
  for (const auto& m : description.members)
    for (const auto& tp : m.assignment) names.insert(tp.topic);
  return {names.begin(), names.end()};
}

const GroupState* Snapshot::group(const std::string& id) const {
  for (const auto& g : groups)
    if (g.description.group_id == id) return &g;
  return nullptr;
}

ClusterRefresher::ClusterRefresher(ClusterAccess& access, std::chrono::milliseconds interval)
    : access_(access), interval_(interval), snapshot_(std::make_shared<Snapshot>()) {}

ClusterRefresher::~ClusterRefresher() { stop(); }

void ClusterRefresher::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void ClusterRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  lookup_.reset();
}

std::shared_ptr<const Snapshot> ClusterRefresher::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::vector<LagPoint> ClusterRefresher::lag_history(const std::string& group) const {
  std::lock_guard lock(mutex_);
  auto it = lag_history_.find(group);
  if (it == lag_history_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<TimelineEntry> ClusterRefresher::timeline(const std::string& group) const {
  std::lock_guard lock(mutex_);
  auto it = timelines_.find(group);
  if (it == timelines_.end()) return {};
  return {it->second.entries().begin(), it->second.entries().end()};
}

std::uint64_t ClusterRefresher::refresher_calls() const {
  std::lock_guard lock(mutex_);
  return refresher_calls_;
}

void ClusterRefresher::on_refresh(std::function<void(const Snapshot&)> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void ClusterRefresher::refresh_now(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto target = snapshot_->sequence + 1;
  requested_ = true;
  wake_.notify_all();
  // The refresh in progress may have read the cluster before the change: wait for one more.
  if (snapshot_->sequence + 1 == target) ++target;
  wake_.wait_for(lock, timeout, [&] { return stopping_ || snapshot_->sequence >= target; });
}

void ClusterRefresher::run() {
  for (;;) {
    refresh_once();
    std::unique_lock lock(mutex_);
    wake_.notify_all();  // refresh_now() waiters
    wake_.wait_for(lock, interval_, [&] { return stopping_ || requested_; });
    if (stopping_) return;
    requested_ = false;
  }
}

void ClusterRefresher::refresh_once() {
  std::shared_ptr<const Snapshot> previous = snapshot();
  auto next = std::make_shared<Snapshot>();
  std::uint64_t calls = 0;
  auto counted = [&](auto&& f) {
    ++calls;
    access_.count();
    return f();
  };
  auto& admin = access_.uncounted_admin();  // every call below goes through counted()

  try {
    auto cluster = counted([&] { return admin.describe_cluster(refresh_call_timeout); });
    auto names = counted([&] { return admin.list_topics(true, refresh_call_timeout); });
    auto described = counted([&] { return admin.describe_topics(names, refresh_call_timeout); });
    next->reachable = true;
    next->cluster_id = cluster.cluster_id;
    next->controller_id = cluster.controller_id;

    std::set<std::int32_t> live;
    for (const auto& b : cluster.brokers) {
      live.insert(b.id);
      known_brokers_[b.id] = {b.id, b.host, b.port, true};
    }
    for (auto& [id, b] : known_brokers_) {
      b.in_metadata = live.count(id) > 0;
      if (!b.in_metadata)
        next->warnings.push_back(fmt::format(
            "broker {} ({}:{}) is not in the cluster's metadata any more: it is down or "
            "fenced (`klab status`)",
            id, b.host, b.port));
      next->brokers.push_back(b);
    }

    std::vector<TopicPartition> lookup;
    for (const auto& d : described) {
      if (d.error) continue;  // deleted between the two calls
      TopicState t{d.name, d.name.starts_with("__"), {}};
      for (const auto& p : d.partitions) {
        PartitionState ps{p.id, p.leader, p.replicas, p.isr};
        // Keep the last known watermarks until the lookup below answers.
        if (previous) {
          auto it = previous->topics.find(d.name);
          if (it != previous->topics.end())
            if (const auto* old = it->second.partition(p.id)) {
              ps.low = old->low;
              ps.high = old->high;
            }
        }
        if (p.leader >= 0) lookup.push_back({d.name, p.id, 0});
        t.partitions.push_back(std::move(ps));
      }
      next->topics.emplace(d.name, std::move(t));
    }

    if (!lookup.empty()) {
      try {
        if (!lookup_)
          lookup_ = std::make_unique<klab::client::Consumer>(access_.reader_config("watermarks"));
        // ListOffsets with Kafka's special timestamps: -2 is the log start, -1 the log end;
        // one batched request per leader instead of one per partition.
        for (auto& tp : lookup) tp.offset = klab::client::offset_beginning;
        auto lows =
            counted([&] { return lookup_->offsets_for_times(lookup, refresh_call_timeout); });
        for (auto& tp : lookup) tp.offset = klab::client::offset_end;
        auto highs =
            counted([&] { return lookup_->offsets_for_times(lookup, refresh_call_timeout); });
        auto apply = [&](const std::vector<TopicPartition>& answers, bool low) {
          for (const auto& a : answers) {
            if (a.error || a.offset < 0) continue;
            auto it = next->topics.find(a.topic);
            if (it == next->topics.end()) continue;
            for (auto& p : it->second.partitions)
              if (p.id == a.partition) (low ? p.low : p.high) = a.offset;
          }
        };
        apply(lows, true);
        apply(highs, false);
      } catch (const klab::KafkaException& e) {
        // Its cached leaders may be stale (a broker died): start over with fresh metadata.
        lookup_.reset();
        next->warnings.push_back("reading the partitions' offsets failed (" +
                                 e.error().to_string() + "): message counts may be stale");
      }
    }

    // Listing groups asks every broker: one dead broker fails it while the cluster answers.
    std::vector<klab::client::GroupDescription> groups;
    try {
      groups = counted([&] { return admin.list_groups(refresh_call_timeout); });
    } catch (const klab::KafkaException& e) {
      next->warnings.push_back("listing the consumer groups failed (" + e.error().to_string() +
                               "): showing the last known groups");
      if (previous) next->groups = previous->groups;
    }
    std::sort(groups.begin(), groups.end(),
              [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
    for (auto& g : groups) {
      GroupState gs;
      gs.description = std::move(g);
      std::map<std::pair<std::string, std::int32_t>, std::optional<std::int64_t>> offsets;
      if (gs.description.state != "Dead") {
        try {
          auto committed = counted([&] {
            return admin.committed_offsets(gs.description.group_id, {}, refresh_call_timeout);
          });
          for (const auto& c : committed)
            if (c.offset >= 0) offsets[{c.topic, c.partition}] = c.offset;
        } catch (const klab::KafkaException& e) {
          next->warnings.push_back(
              fmt::format("reading the committed offsets of group {} failed: {}",
                          gs.description.group_id, e.error().to_string()));
        }
      }
      for (const auto& m : gs.description.members)
        for (const auto& tp : m.assignment) offsets.try_emplace({tp.topic, tp.partition});
      for (const auto& [key, committed] : offsets) {
        GroupOffset o{key.first, key.second, committed};
        auto t = next->topics.find(key.first);
        const PartitionState* p =
            t == next->topics.end() ? nullptr : t->second.partition(key.second);
        if (p) {
          o.end = p->high;
          if (p->high >= 0)
            o.lag = klab::lab::lag_of(committed.value_or(klab::client::offset_invalid),
                                      {std::max<std::int64_t>(p->low, 0), p->high});
        }
        gs.total_lag += o.lag;
        gs.offsets.push_back(std::move(o));
      }
      next->groups.push_back(std::move(gs));
    }
    next->refreshed_at_ms = now_ms();
  } catch (const klab::KafkaException& e) {
    // The whole cluster is unreachable: keep the last known data, marked as such.
    if (previous) *next = *previous;
    next->reachable = false;
    next->warnings.clear();
    next->warnings.push_back("the cluster does not answer (" + e.error().to_string() +
                             "): showing the last known data; is it running? (`klab status`, "
                             "`klab up`)");
    for (auto& b : next->brokers) b.in_metadata = false;
    for (auto& [id, b] : known_brokers_) b.in_metadata = false;
  }

  std::vector<std::function<void(const Snapshot&)>> listeners;
  {
    std::lock_guard lock(mutex_);
    next->sequence = snapshot_->sequence + 1;
    refresher_calls_ += calls;
    if (next->reachable) {
      auto t = now_ms();
      for (const auto& g : next->groups) {
        auto& h = lag_history_[g.description.group_id];
        h.push_back({t, g.total_lag});
        while (!h.empty() && h.front().t_ms < t - lag_history_ms) h.pop_front();
        timelines_[g.description.group_id].observe(t, g.description);
      }
      for (auto it = lag_history_.begin(); it != lag_history_.end();)
        it = next->group(it->first) ? std::next(it) : lag_history_.erase(it);
      for (auto it = timelines_.begin(); it != timelines_.end();)
        it = next->group(it->first) ? std::next(it) : timelines_.erase(it);
    }
    snapshot_ = next;
    listeners = listeners_;
  }
  for (const auto& l : listeners) l(*next);
}

}  // namespace klab::console
