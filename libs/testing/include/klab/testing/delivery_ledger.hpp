#pragma once
// The delivery ledger: what every reliability experiment reports. It writes numbered records,
// remembers what the producer said about each one, reads the topic back and compares the two:
// lost (acknowledged, never read), phantoms (reported failed, yet read), duplicates, per-key
// order violations.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/record.hpp"

namespace klab::testing {

/// The ledger's columns. Counts are of this ledger's records only, except `foreign`.
struct LedgerReport {
  std::size_t attempted = 0;     ///< records handed out by next()
  std::size_t acknowledged = 0;  ///< delivery report without error
  std::size_t failed = 0;        ///< report with an error and not_persisted, or rejected by send()
  /// Report with an error that may have been written anyway: possibly_persisted (e.g.
  /// _MSG_TIMED_OUT after the request went out), or "persisted" together with an error.
  std::size_t uncertain = 0;
  std::size_t unreported = 0;        ///< attempted, no delivery report yet
  std::size_t consumed_unique = 0;   ///< distinct records read back
  std::size_t duplicates = 0;        ///< reads beyond the first of the same record
  std::size_t lost = 0;              ///< acknowledged but never read
  std::size_t phantoms = 0;          ///< reported failed but read
  std::size_t order_violations = 0;  ///< see DeliveryLedger::compute()
  /// Records of the topic this ledger did not write (another run, unparsable values).
  std::size_t foreign = 0;
  /// Sequence numbers behind lost / phantoms / duplicates, lowest first, at most
  /// max_listed_ids each: enough for a failure message.
  std::vector<std::uint64_t> lost_ids, phantom_ids, duplicate_ids;

  static constexpr std::size_t max_listed_ids = 20;

  /// Two lines, a header and the values, in fixed-width right-aligned columns, for test logs and
  /// the guides. Errors: none.
  std::string table() const;
  /// Prints table(). Errors: none.
  friend std::ostream& operator<<(std::ostream& os, const LedgerReport& report);
};

/// Writes records whose value names the ledger's run and a sequence number ("<run>/<seq>"),
/// records each one's delivery outcome and reconciles the outcomes with what the topic holds.
///
/// Outcome of a delivery report: no error -> acknowledged, whatever its status (with acks=0
/// librdkafka reports success with status possibly_persisted: nobody acknowledged anything, so
/// such a run can show "lost" records that the producer called delivered); error and
/// not_persisted -> failed; error and possibly_persisted -> uncertain; error and persisted (not
/// expected from librdkafka) -> uncertain too, since the two facts contradict each other.
///
/// Thread-safe: next(), the callbacks of track(), rejected() and the readers may run
/// concurrently. The callbacks keep the ledger's state alive, so a producer may outlive the
/// ledger. Move-only.
class DeliveryLedger {
 public:
  /// A value read back from the topic, for compute().
  struct Consumed {
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::optional<std::string> key;
    std::string value;
  };

  /// A ledger for `topic` with a random run id, so several ledgers (or reruns) can share the
  /// topic: each counts only its own records. Errors: none.
  explicit DeliveryLedger(std::string topic);
  ~DeliveryLedger();
  DeliveryLedger(DeliveryLedger&&) noexcept;
  DeliveryLedger& operator=(DeliveryLedger&&) noexcept;
  DeliveryLedger(const DeliveryLedger&) = delete;
  DeliveryLedger& operator=(const DeliveryLedger&) = delete;

  const std::string& topic() const noexcept;
  /// The run id in every value this ledger writes. Errors: none.
  const std::string& run() const noexcept;

  /// The next record and its attempt: value "<run>/<seq>" padded with '.' up to `value_size`
  /// bytes (when that is longer), key as given (nullopt: keyless), no partition (the
  /// partitioner picks). seq counts from 0 per ledger. Errors: none.
  client::ProducerRecord next(std::optional<std::string> key = std::nullopt,
                              std::size_t value_size = 0);
  /// The delivery callback for a record from next(): records its report's outcome. Runs on the
  /// producer's thread. Errors: KafkaException _INVALID_ARG when `record` is not one of this
  /// ledger's (thrown here, not in the callback).
  client::DeliveryCallback track(const client::ProducerRecord& record);
  /// send() refused the record (an immediate error): it counts as failed, never written.
  /// `error` is accepted for symmetry with the callback; the count does not depend on it.
  /// Errors: KafkaException _INVALID_ARG when `record` is not one of this ledger's.
  void rejected(const client::ProducerRecord& record, const klab::Error& error);

  /// next() + producer.send(record, track(record)); on an immediate error calls rejected() and
  /// returns that error (_QUEUE_FULL, MSG_SIZE_TOO_LARGE, _FATAL ... see Producer::send()).
  klab::Error send(client::Producer& producer, std::optional<std::string> key = std::nullopt,
                   std::size_t value_size = 0);
  /// Sends record `seq` again (same key and value): what an application does when it retries
  /// a record itself. A record keeps its best outcome across attempts (acknowledged over
  /// uncertain over failed), so a re-sent failure that lands is acknowledged, and a record the
  /// topic then holds twice shows as a duplicate. Returns send()'s immediate error.
  /// Errors: KafkaException _INVALID_ARG for a seq never handed out.
  klab::Error resend(client::Producer& producer, std::uint64_t seq);
  /// Same, for a record from next() the caller kept (e.g. in a delivery callback).
  /// Errors: KafkaException _INVALID_ARG when `record` is not one of this ledger's.
  klab::Error resend(client::Producer& producer, client::ProducerRecord record);
  /// Record `seq` as next() made it. Errors: KafkaException _INVALID_ARG for an unknown seq.
  client::ProducerRecord record_of(std::uint64_t seq) const;
  /// Seqs whose outcome so far is uncertain: the records an application cannot place.
  std::vector<std::uint64_t> uncertain_ids() const;
  /// Delivery reports and send() refusals so far, counted by error code (successes excluded).
  std::map<rd_kafka_resp_err_t, std::size_t> errors() const;
  /// Delivery reports so far, counted by persistence status (successes included).
  std::map<client::PersistenceStatus, std::size_t> statuses() const;
  /// Like send(), then waits up to `timeout` for the report and returns it. Without a report in
  /// time it returns one with _TIMED_OUT and possibly_persisted, while the ledger keeps the
  /// record unreported until its real report arrives. Errors: KafkaException with the immediate
  /// error of send() (the record then counts as failed).
  client::DeliveryReport send_sync(client::Producer& producer, std::chrono::milliseconds timeout,
                                   std::optional<std::string> key = std::nullopt,
                                   std::size_t value_size = 0);

  /// Reads every partition of topic() from its log start offset up to its high watermark (the
  /// log end, read uncommitted, taken when the read starts) with an independent consumer
  /// (assign(), no group membership, no commits; isolation.level and connection settings from
  /// `consumer_config`, a throwaway group.id when it has none), then returns compute() of what
  /// was read. Records still unreported are counted as such. Waits for, rather than reports as
  /// lost: a read_committed log whose last stable offset trails (markers of a just-committed
  /// transaction not written yet). Does not wait for: records past the high watermark (acks=1
  /// records not yet replicated) - they may show as lost. Under read_committed, records of
  /// aborted transactions were acknowledged but are never read: they count as lost.
  /// `timeout` is scaled by KLAB_TIMEOUT_MULTIPLIER.
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART (after a 2 s grace for a topic created a
  /// moment ago) or the topic's metadata error when the topic can't be described; the error of
  /// a watermark query (_TIMED_OUT, NOT_LEADER_FOR_PARTITION ... once retries run out);
  /// _TIMED_OUT naming the partitions still short (and the last consumer error) when the read
  /// does not reach every high watermark in time - it never returns a partial read (an open
  /// transaction under read_committed ends this way); _FATAL's cause from the consumer;
  /// _INVALID_ARG when librdkafka refuses `consumer_config`.
  LedgerReport reconcile(const client::Config& consumer_config,
                         std::chrono::milliseconds timeout) const;

  /// The pure part of reconcile(), for unit tests and callers that read the topic themselves.
  /// `consumed`: the values read, in any order (records of other topics must not be included).
  /// Walking them in (partition, offset) order, skipping repeats of a seq already seen, a keyed
  /// record is an order violation when a higher seq with the same key came before it. Records
  /// that are not this run's, or whose seq this ledger never handed out, count as foreign.
  /// Errors: none.
  LedgerReport compute(const std::vector<Consumed>& consumed) const;

  /// The producer-side columns so far (attempted, acknowledged, failed, uncertain, unreported),
  /// without reading the topic. Errors: none.
  LedgerReport outcomes() const;

 private:
  struct State;
  client::ProducerRecord make_record(std::uint64_t seq, std::optional<std::string> key,
                                     std::size_t value_size) const;
  std::string topic_;
  std::string run_;
  std::shared_ptr<State> state_;  // shared with the delivery callbacks
};

}  // namespace klab::testing
