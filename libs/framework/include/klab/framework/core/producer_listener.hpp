#pragma once
// ProducerListener: Spring's hook for observing every send of a KafkaTemplate in one place
// (metrics, logging, an audit trail) without touching each call site.
#include <functional>

#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"

namespace klab::framework {

/// Called exactly once per send of a KafkaTemplate: on_success when the record is persisted,
/// on_error otherwise (a refused send, an asynchronous delivery error). Either member may be
/// empty. Both run before the send's own future or callback completes, on the producer's poll
/// thread for delivered records and on the caller's thread for sends refused up front.
/// Exceptions they throw are printed to stderr and dropped, so a faulty listener cannot lose
/// a send's outcome.
struct ProducerListener {
  /// The serialized record and its report (no error, status persisted).
  std::function<void(const client::ProducerRecord&, const client::DeliveryReport&)> on_success;
  /// The record as far as it got (for a serialization failure: the topic and whatever did
  /// serialize) and why it was not persisted.
  std::function<void(const client::ProducerRecord&, const Error&)> on_error;
};

}  // namespace klab::framework
