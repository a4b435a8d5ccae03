#pragma once
// The numbers a consumer experiment needs from librdkafka's statistics JSON (STATISTICS.md):
// fetch queues, lag and offsets per partition, and the group's join state; plus a thread-safe
// collector to install as the statistics handler. Counters, gauges and windows behave as
// described in producer_stats.hpp.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/client/sample_collector.hpp"

namespace klab::client {

/// One partition the consumer fetches (or has fetched) from.
struct ConsumerPartitionStats {
  std::int32_t partition = -1;
  std::int64_t fetchq_cnt = 0;   ///< records prefetched, waiting for poll() (gauge)
  std::int64_t fetchq_size = 0;  ///< their bytes (gauge)
  /// Log end (or, with read_committed, last stable offset) minus committed_offset; -1 until
  /// both are known (e.g. nothing committed yet).
  std::int64_t consumer_lag = -1;
  std::int64_t rxmsgs = 0;                ///< records handed to the application from this partition
  std::int64_t rxbytes = 0;               ///< their bytes
  std::int64_t committed_offset = -1001;  ///< last committed offset; -1001 when none
  std::int64_t app_offset = -1001;        ///< offset of the last record poll() returned, + 1
  /// none, stopping, stopped, offset-query, offset-wait, active: "active" once fetching.
  std::string fetch_state;
};

struct ConsumerTopicStats {
  std::string name;
  /// Real partitions only, sorted by id (the internal unassigned partition -1 is left out).
  std::vector<ConsumerPartitionStats> partitions;
};

/// The consumer group handler ("cgrp"); absent for consumers without group.id.
struct ConsumerGroupStats {
  std::string state;       ///< "up" once the coordinator is known; "init", "wait-coord" ...
  std::string join_state;  ///< "steady" when assigned and stable; "wait-join", "wait-sync" ...
  std::int64_t rebalance_cnt = 0;    ///< rebalances (assign or revoke) so far
  std::int64_t assignment_size = 0;  ///< partitions assigned right now (gauge)
};

/// One statistics sample of a consumer.
struct ConsumerStats {
  std::int64_t ts_us = 0;        ///< "ts": librdkafka's monotonic clock (us), orders samples
  std::int64_t rxmsgs = 0;       ///< records received from brokers (skipped ones not counted)
  std::int64_t rxmsg_bytes = 0;  ///< their bytes, framing included
  std::int64_t rx = 0;           ///< responses received from all brokers (every kind)
  std::int64_t rx_bytes = 0;     ///< bytes received from all brokers
  /// Real brokers only (node_id >= 0), sorted by node id; fetch_requests is filled in.
  /// librdkafka's logical "GroupCoordinator" entry (the connection for JoinGroup, Heartbeat,
  /// OffsetCommit ...) is left out; its traffic still counts in rx / rx_bytes.
  std::vector<BrokerStats> brokers;
  std::vector<ConsumerTopicStats> topics;  ///< sorted by name
  std::optional<ConsumerGroupStats> cgrp;  ///< nullopt without group.id

  /// Sum of the brokers' fetch_requests. Errors: none.
  std::int64_t fetch_requests() const;
  /// The partition's stats, or nullptr when the sample does not have it. Errors: none.
  const ConsumerPartitionStats* partition(std::string_view topic, std::int32_t partition) const;

  /// Parses one statistics JSON document of a consumer (librdkafka 2.0.2's layout).
  /// Errors: KafkaException _BAD_MSG naming the missing or odd field (e.g.
  /// `topics["t"].partitions["0"].consumer_lag`), or saying the text is not JSON.
  static ConsumerStats parse(std::string_view json);
};

/// Thread-safe sink for Config::statistics_handler of a consumer: keeps the latest sample.
/// Copies share one state, so a copy captured by the handler and the one you read agree.
///
///   ConsumerStatsCollector stats;
///   config.statistics_handler(stats.handler()).statistics_interval_ms(1000);
class ConsumerStatsCollector : public SampleCollector<ConsumerStats> {};

}  // namespace klab::client
