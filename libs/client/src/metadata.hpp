#pragma once
// Topic metadata as klab values, for every handle type (Admin, Consumer).
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"

namespace klab::client::detail {

/// Describes `names` from one metadata request for every topic of the cluster. Missing topics get
/// UNKNOWN_TOPIC_OR_PART in their entry.
/// Errors: KafkaException with the request's error (_TIMED_OUT, _TRANSPORT ...).
std::vector<TopicDescription> describe_topics(rd_kafka_t* rk, const std::vector<std::string>& names,
                                              std::chrono::milliseconds timeout);

}  // namespace klab::client::detail
