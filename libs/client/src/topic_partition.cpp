#include "klab/client/topic_partition.hpp"

#include <ostream>

namespace klab::client {

std::ostream& operator<<(std::ostream& os, const TopicPartition& tp) {
  os << tp.topic << '/' << tp.partition << '@' << tp.offset;
  if (tp.error) os << " (" << tp.error << ')';
  return os;
}

detail::PartitionListPtr to_native(const std::vector<TopicPartition>& partitions) {
  detail::PartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions)
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        tp.offset;
  return list;
}

std::vector<TopicPartition> from_native(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (!list) return out;
  out.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& p = list->elems[i];
    out.push_back({p.topic, p.partition, p.offset, p.err ? Error(p.err) : Error()});
  }
  return out;
}

}  // namespace klab::client
