#pragma once
// Where a partition lives right now, and waits for the cluster to settle after a fault: what
// every chaos lesson needs before and after it kills, pauses or stops a broker.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "klab/client/admin.hpp"

namespace klab::testing {

/// Creates a topic on the test cluster and waits until every partition has a leader.
/// Errors: KafkaException from Admin::create_topic; _TIMED_OUT naming the topic when a
/// partition has no leader in time.
void create_topic(const std::string& name, int partitions, int replication_factor,
                  const std::map<std::string, std::string>& configs = {});

/// The partition as the controller sees it now (leader, replicas, ISR).
/// Errors: KafkaException from Admin::describe_topics, or UNKNOWN_TOPIC_OR_PART.
klab::client::PartitionInfo partition_info(const std::string& topic, int partition);

/// Bytes of the partition's log segments (*.log) in the leader's data directory: what the
/// broker keeps on disk for it. The lab's own cluster only (it reads the node's files).
/// Errors: ClusterError for an external cluster; KafkaException as partition_info().
std::uintmax_t log_segment_bytes(const std::string& topic, int partition);

/// Waits until the partition's leader is one of the brokers `accept` returns true for, and
/// returns it. Errors: KafkaException _TIMED_OUT naming the topic and the last leader seen.
int await_leader(const std::string& topic, int partition, const std::function<bool(int)>& accept,
                 std::chrono::milliseconds timeout);

/// Waits until the partition's ISR has `size` members. Errors: KafkaException _TIMED_OUT with
/// the last ISR seen.
void await_isr_size(const std::string& topic, int partition, std::size_t size,
                    std::chrono::milliseconds timeout);

/// Starts every stopped node and resumes every paused one of the lab's local cluster, then
/// waits until all brokers are registered: a chaos test calls it on the way out, so the next
/// test finds a whole cluster. No-op for an external cluster. Errors: as LocalCluster.
void restore_all_nodes();

}  // namespace klab::testing
