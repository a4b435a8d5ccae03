#pragma once
// Reading a topic up to where it ends now: the building block of replaying a changelog,
// rebuilding state from events, or reconciling what a producer sent with what was stored.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"

namespace klab::client {

struct ReadToEndOptions {
  /// Where each partition starts (its offset; below the log start means the log start).
  /// Empty: every partition of the topic from its log start.
  std::vector<TopicPartition> from;
  /// How far to read. readable_end: the end as the config's isolation.level sees it when the
  /// read starts (the last stable offset under read_committed, Java's endOffsets). log_end: the
  /// high watermark even under read_committed, so records of a transaction committed a moment
  /// ago are waited for; a partition whose last offsets are transaction markers (never delivered
  /// as records) ends at its end-of-partition event.
  enum class Until { readable_end, log_end } until = Until::readable_end;
  /// For everything together: metadata, end offsets and the read.
  std::chrono::milliseconds timeout{30'000};
  /// Receives consumer error events other than end-of-partition (a broker down, an election:
  /// the consumer retries by itself). Empty: such an event is thrown.
  std::function<void(const Error&)> on_error;
};

/// What one read_to_end() found.
struct ReadToEndResult {
  /// Per partition, the end offset captured before reading (what "the end" meant).
  std::map<std::int32_t, std::int64_t> ends;
  std::size_t records = 0;  ///< records handed to `visit`
};

/// Reads `topic` with an assign()ed consumer built from `config` (no group membership, nothing
/// committed; a throwaway group.id when none is set; enable.partition.eof forced on) and hands
/// every record below the captured ends to `visit`, per partition in offset order. Partitions,
/// end offsets and a topic created a moment ago that a broker does not know yet are asked again
/// while the answer is retriable, until the timeout.
/// Errors: KafkaException UNKNOWN_TOPIC_OR_PART, _TIMED_OUT naming the partitions not finished
/// (and the last consumer error), a fatal consumer error, the first other error event when no
/// `on_error` is given, and whatever `visit` throws.
ReadToEndResult read_to_end(const Config& config, const std::string& topic,
                            const std::function<void(const Record&)>& visit,
                            const ReadToEndOptions& options = {});

}  // namespace klab::client
