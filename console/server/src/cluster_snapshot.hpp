#pragma once
// The cached picture of the cluster every list endpoint reads: ONE refresher thread rebuilds
// it every `refresh`, so the console's load on the cluster does not grow with its users.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster_access.hpp"
#include "group_timeline.hpp"
#include "klab/client/admin.hpp"

namespace klab::console {

struct PartitionState {
  std::int32_t id = 0;
  std::int32_t leader = -1;
  std::vector<std::int32_t> replicas, isr;
  std::int64_t low = -1, high = -1;  ///< -1 when the last lookup failed
  bool under_replicated() const { return isr.size() < replicas.size(); }
  bool offline() const { return leader < 0; }
  std::int64_t messages() const { return low >= 0 && high >= low ? high - low : 0; }
};

struct TopicState {
  std::string name;
  bool internal = false;
  std::vector<PartitionState> partitions;  ///< sorted by id
  const PartitionState* partition(std::int32_t id) const;
};

struct GroupOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::optional<std::int64_t> committed;  ///< nullopt: assigned but nothing committed
  std::int64_t end = -1;
  std::int64_t lag = 0;  ///< end - committed; end - low when nothing is committed
};

struct GroupState {
  klab::client::GroupDescription description;
  std::vector<GroupOffset> offsets;  ///< sorted by topic, partition
  std::int64_t total_lag = 0;
  std::vector<std::string> topics() const;
};

struct BrokerState {
  std::int32_t id = 0;
  std::string host;
  int port = 0;
  bool in_metadata = true;  ///< false: seen before, now missing
};

struct Snapshot {
  bool reachable = false;
  std::int64_t refreshed_at_ms = 0;  ///< 0: never refreshed successfully
  std::string cluster_id;
  std::int32_t controller_id = -1;
  std::vector<BrokerState> brokers;  ///< sorted by id, including missing ones
  std::map<std::string, TopicState> topics;
  std::vector<GroupState> groups;  ///< sorted by id
  std::vector<std::string> warnings;
  std::uint64_t sequence = 0;  ///< refreshes done
  const GroupState* group(const std::string& id) const;
};

struct LagPoint {
  std::int64_t t_ms = 0;
  std::int64_t lag = 0;
};

class ClusterRefresher {
 public:
  ClusterRefresher(ClusterAccess& access, std::chrono::milliseconds interval);
  ~ClusterRefresher();  ///< stop()
  void start();
  void stop();

  std::shared_ptr<const Snapshot> snapshot() const;
  /// The group's total lag at each refresh of the last 30 minutes.
  std::vector<LagPoint> lag_history(const std::string& group) const;
  /// The group's changes (state, members, assignment) seen by the refreshes of the last 30
  /// minutes, oldest first.
  std::vector<TimelineEntry> timeline(const std::string& group) const;
  /// Refreshes now (after a change made through the console) and waits for it, up to `timeout`.
  void refresh_now(std::chrono::milliseconds timeout);
  /// Cluster requests made by the refresher alone.
  std::uint64_t refresher_calls() const;
  /// Called after every refresh with the new snapshot (on the refresher thread).
  void on_refresh(std::function<void(const Snapshot&)> listener);

 private:
  void run();
  void refresh_once();

  ClusterAccess& access_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool requested_ = false;
  std::shared_ptr<const Snapshot> snapshot_;
  std::map<std::int32_t, BrokerState> known_brokers_;
  std::map<std::string, std::deque<LagPoint>> lag_history_;
  std::map<std::string, GroupTimeline> timelines_;
  std::uint64_t refresher_calls_ = 0;
  std::vector<std::function<void(const Snapshot&)>> listeners_;
  std::unique_ptr<klab::client::Consumer> lookup_;  // ListOffsets for every partition at once
  std::thread thread_;
};

std::int64_t now_ms();

}  // namespace klab::console
