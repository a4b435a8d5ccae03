#pragma once
// Internal to klab::framework (not installed): how dead-letter and retry headers name a
// record's timestamp type, with Kafka's words so Java consumers read them as they expect.
#include "klab/client/record.hpp"

namespace klab::framework::detail {

inline const char* timestamp_type_name(client::TimestampType type) {
  switch (type) {
    case client::TimestampType::create_time:
      return "CreateTime";
    case client::TimestampType::log_append_time:
      return "LogAppendTime";
    case client::TimestampType::none:
      break;
  }
  return "NoTimestampType";
}

}  // namespace klab::framework::detail
