#include "klab/testing/topology.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/testing/test_cluster.hpp"

namespace klab::testing {
using namespace std::chrono_literals;
using klab::client::Admin;
using klab::client::PartitionInfo;

namespace {

// Short per-call timeouts: during an election a broker may not answer, and the caller's
// await loop retries anyway.
std::optional<PartitionInfo> try_partition_info(Admin& admin, const std::string& topic,
                                                int partition) {
  try {
    auto desc = admin.describe_topics({topic}, 5s);
    if (desc.empty() || desc[0].error) return std::nullopt;
    for (auto& p : desc[0].partitions)
      if (p.id == partition) return p;
  } catch (const KafkaException&) {
  }
  return std::nullopt;
}

}  // namespace

void create_topic(const std::string& name, int partitions, int replication_factor,
                  const std::map<std::string, std::string>& configs) {
  Admin admin(cluster().client_config());
  admin.create_topic({.name = name,
                      .partitions = partitions,
                      .replication_factor = replication_factor,
                      .configs = configs},
                     klab::cluster::scaled(30s));
  bool led = klab::cluster::await_until(
      [&] {
        for (int p = 0; p < partitions; ++p) {
          auto info = try_partition_info(admin, name, p);
          if (!info || info->leader < 0) return false;
        }
        return true;
      },
      klab::cluster::scaled(30s));
  if (!led)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__TIMED_OUT, "topic " + name + " has a partition without a leader"));
}

PartitionInfo partition_info(const std::string& topic, int partition) {
  Admin admin(cluster().client_config());
  // Metadata reaches each broker on its own schedule: a topic created a moment ago may be
  // unknown to the broker that answers, so ask again for a while before failing.
  std::optional<PartitionInfo> info;
  klab::cluster::await_until(
      [&] { return (info = try_partition_info(admin, topic, partition)).has_value(); },
      klab::cluster::scaled(10s), 100ms);
  if (info) return *info;
  auto desc = admin.describe_topics({topic}, klab::cluster::scaled(10s));
  if (desc.empty()) throw KafkaException(Error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, topic));
  if (desc[0].error) throw KafkaException(desc[0].error, "describe " + topic);
  throw KafkaException(Error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                             fmt::format("{} has no partition {}", topic, partition)));
}

int await_leader(const std::string& topic, int partition, const std::function<bool(int)>& accept,
                 std::chrono::milliseconds timeout) {
  Admin admin(cluster().client_config());
  int last = -1;
  bool ok = klab::cluster::await_until(
      [&] {
        auto info = try_partition_info(admin, topic, partition);
        if (!info) return false;
        last = info->leader;
        return last >= 0 && accept(last);
      },
      klab::cluster::scaled(timeout), 200ms);
  if (!ok)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                               fmt::format("{}-{}: no acceptable leader in time (last seen: {})",
                                           topic, partition, last)));
  return last;
}

void await_isr_size(const std::string& topic, int partition, std::size_t size,
                    std::chrono::milliseconds timeout) {
  Admin admin(cluster().client_config());
  std::vector<std::int32_t> last;
  bool ok = klab::cluster::await_until(
      [&] {
        auto info = try_partition_info(admin, topic, partition);
        if (!info) return false;
        last = info->isr;
        return last.size() == size;
      },
      klab::cluster::scaled(timeout), 200ms);
  if (!ok)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                               fmt::format("{}-{}: ISR did not reach {} members (last: [{}])",
                                           topic, partition, size, fmt::join(last, ","))));
}

std::uintmax_t log_segment_bytes(const std::string& topic, int partition) {
  if (cluster().external())
    throw klab::cluster::ClusterError("log_segment_bytes reads the lab's own node directories; " +
                                      cluster().bootstrap() + " is an external cluster");
  int leader = partition_info(topic, partition).leader;
  auto dir =
      cluster().local().node_dir(leader) / "data" / (topic + "-" + std::to_string(partition));
  std::uintmax_t total = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".log") total += f.file_size();
  return total;
}

void restore_all_nodes() {
  if (cluster().external()) return;
  auto& local = cluster().local();
  for (const auto& n : local.nodes()) {
    if (n.paused) local.resume_node(n.id);
    if (!n.running) local.start_node(n.id);
  }
  local.await_brokers(local.node_count(), klab::cluster::scaled(60s));
}

}  // namespace klab::testing
