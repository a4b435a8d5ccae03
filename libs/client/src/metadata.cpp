#include "metadata.hpp"

#include <algorithm>

#include "client_handle.hpp"

namespace klab::client::detail {

std::vector<TopicDescription> describe_topics(rd_kafka_t* rk, const std::vector<std::string>& names,
                                              std::chrono::milliseconds timeout) {
  // Always all topics: a request naming the topic may create it (brokers with auto-create, and
  // the mock cluster, which ignores allow.auto.create.topics before Metadata v4), and a lookup
  // must never create what it looks for.
  const rd_kafka_metadata_t* raw = nullptr;
  auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, to_ms(timeout));
  if (err) throw KafkaException(Error(err), "metadata");
  MetadataPtr md(raw);
  std::vector<TopicDescription> out;
  for (const auto& name : names) {
    TopicDescription d;
    d.name = name;
    const rd_kafka_metadata_topic_t* found = nullptr;
    for (int i = 0; i < md->topic_cnt && !found; ++i)
      if (name == md->topics[i].topic) found = &md->topics[i];
    if (!found) {
      d.error = Error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
                      "topic '" + name + "' is not in the cluster's metadata");
    } else {
      if (found->err) d.error = Error(found->err);
      for (int p = 0; p < found->partition_cnt; ++p) {
        const auto& mp = found->partitions[p];
        PartitionInfo info;
        info.id = mp.id;
        info.leader = mp.leader;
        info.replicas.assign(mp.replicas, mp.replicas + mp.replica_cnt);
        info.isr.assign(mp.isrs, mp.isrs + mp.isr_cnt);
        if (mp.err) info.error = Error(mp.err);
        d.partitions.push_back(std::move(info));
      }
      std::sort(d.partitions.begin(), d.partitions.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace klab::client::detail
