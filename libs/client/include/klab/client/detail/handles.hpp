#pragma once
// unique_ptr aliases for every librdkafka object the client owns, so no path forgets a destroy.
#include <librdkafka/rdkafka.h>

#include <memory>

namespace klab::client::detail {

/// Calls `Destroy(p)` for a non-null pointer; usable as a unique_ptr deleter.
template <auto Destroy>
struct Deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p) Destroy(p);
  }
};

using HandlePtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_destroy>>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, Deleter<rd_kafka_conf_destroy>>;
using TopicConfPtr = std::unique_ptr<rd_kafka_topic_conf_t, Deleter<rd_kafka_topic_conf_destroy>>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, Deleter<rd_kafka_topic_destroy>>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                         Deleter<rd_kafka_topic_partition_list_destroy>>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, Deleter<rd_kafka_headers_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_destroy>>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, Deleter<rd_kafka_message_destroy>>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, Deleter<rd_kafka_error_destroy>>;
using ConsumerGroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t,
                                                 Deleter<rd_kafka_consumer_group_metadata_destroy>>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, Deleter<rd_kafka_metadata_destroy>>;
using GroupListPtr =
    std::unique_ptr<const rd_kafka_group_list, Deleter<rd_kafka_group_list_destroy>>;
using AdminOptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_destroy>>;
using DeleteTopicPtr =
    std::unique_ptr<rd_kafka_DeleteTopic_t, Deleter<rd_kafka_DeleteTopic_destroy>>;
using ListConsumerGroupOffsetsPtr =
    std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t,
                    Deleter<rd_kafka_ListConsumerGroupOffsets_destroy>>;

/// Memory librdkafka allocated for the application (e.g. rd_kafka_clusterid()).
using ConfigResourcePtr =
    std::unique_ptr<rd_kafka_ConfigResource_t, Deleter<rd_kafka_ConfigResource_destroy>>;

struct MemFree {
  void operator()(void* p) const noexcept {
    if (p) rd_kafka_mem_free(nullptr, p);
  }
};
using CStringPtr = std::unique_ptr<char, MemFree>;

}  // namespace klab::client::detail
