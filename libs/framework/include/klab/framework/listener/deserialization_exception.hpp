#pragma once
// Thrown when a record's bytes do not decode into the listener's type: a "poison pill" that no
// retry can fix, so the container sends it straight to the recoverer (Spring's
// ErrorHandlingDeserializer + DeserializationException).
#include <cstdint>
#include <string>

#include "klab/client/error.hpp"
#include "klab/client/record.hpp"

namespace klab::framework {

/// error() is the deserializer's Error (typically _VALUE_DESERIALIZATION); what() names the
/// record ("topic/partition@offset") and the error. The container never retries it, whatever
/// the error handler's back-off says.
class DeserializationException : public KafkaException {
 public:
  DeserializationException(const Error& error, const client::Record& record)
      : KafkaException(error, client::coordinates(record) + " does not deserialize"),
        topic_(record.topic()),
        partition_(record.partition()),
        offset_(record.offset()) {}

  /// Where the undecodable record is. Errors: none.
  const std::string& topic() const noexcept { return topic_; }
  std::int32_t partition() const noexcept { return partition_; }
  std::int64_t offset() const noexcept { return offset_; }

 private:
  std::string topic_;
  std::int32_t partition_;
  std::int64_t offset_;
};

}  // namespace klab::framework
