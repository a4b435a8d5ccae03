#pragma once
// Event sourcing on Kafka: an aggregate's state is never stored, only the events that changed
// it, as records keyed by the aggregate id; the state is a fold of those events. Snapshots on a
// compacted topic bound how much must be replayed.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/error.hpp"
#include "klab/client/json_serde.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/client/record.hpp"
#include "klab/client/topic_partition.hpp"

namespace klab::framework {

/// Topic configs for an event topic: events are the source of truth, so they never expire.
inline std::map<std::string, std::string> event_topic_configs() { return {{"retention.ms", "-1"}}; }
/// Topic configs for a snapshot topic: compaction keeps the latest snapshot per aggregate id.
inline std::map<std::string, std::string> snapshot_topic_configs() {
  return {{"cleanup.policy", "compact"}};
}

/// An aggregate's state plus where in the event log it stands.
template <typename State>
struct Aggregate {
  State state{};
  /// The event-topic partition holding this aggregate's events (all of them: they share the
  /// key); -1 while no event is known.
  std::int32_t partition = -1;
  /// Every event of this aggregate in `partition` below this offset is folded into `state`.
  std::int64_t offset = 0;
  /// Events of this aggregate folded in by the call that produced this value.
  std::size_t events_applied = 0;
  /// Records read from the event topic by that call (all aggregates' records it passed).
  std::size_t events_read = 0;
  /// Whether the fold started from a snapshot.
  bool from_snapshot = false;
};

/// Pure folding, kept apart from Kafka so it can be tested without a broker.
template <typename State, typename Event>
class EventFold {
 public:
  using Apply = std::function<State(State, const Event&)>;

  /// Errors: KafkaException _INVALID_ARG for an empty `apply`.
  EventFold(State initial, Apply apply) : initial_(std::move(initial)), apply_(std::move(apply)) {
    if (!apply_)
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "EventFold: apply is empty"));
  }

  const State& initial() const noexcept { return initial_; }
  /// One step. Errors: whatever `apply` throws.
  State apply(State state, const Event& event) const { return apply_(std::move(state), event); }
  /// Folds `events` in order onto `from`. Errors: whatever `apply` throws.
  State fold(State from, const std::vector<Event>& events) const {
    for (const auto& e : events) from = apply_(std::move(from), e);
    return from;
  }

 private:
  State initial_;
  Apply apply_;
};

/// Loads and stores aggregates of one kind. State and Event need nlohmann to_json/from_json.
///
/// Reads capture each partition's end offset first and read exactly up to it, so a rebuild
/// reflects one point of the log, never half of a concurrent write burst. A single writer per
/// aggregate is assumed (the command side serializes commands per id); two writers appending
/// to the same aggregate at once can each validate against a stale state.
///
/// Not thread-safe: one repository per thread, or a lock around it.
template <typename State, typename Event>
class EventSourcedRepository {
 public:
  using Apply = typename EventFold<State, Event>::Apply;

  /// `config`: bootstrap and client settings for the event producer and the short-lived
  /// readers (enable.idempotence is turned on unless set: a retried append must not repeat an
  /// event). Errors: KafkaException _INVALID_ARG (empty topic names or apply, a Config the
  /// producer refuses).
  EventSourcedRepository(const client::Config& config, std::string event_topic,
                         std::string snapshot_topic, State initial, Apply apply,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : config_(config),
        event_topic_(std::move(event_topic)),
        snapshot_topic_(std::move(snapshot_topic)),
        fold_(std::move(initial), std::move(apply)),
        timeout_(timeout),
        producer_(producer_config(config)) {
    if (event_topic_.empty() || snapshot_topic_.empty())
      throw KafkaException(
          Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                "EventSourcedRepository: event and snapshot topics must be named"));
  }

  const std::string& event_topic() const noexcept { return event_topic_; }
  const std::string& snapshot_topic() const noexcept { return snapshot_topic_; }
  const EventFold<State, Event>& fold() const noexcept { return fold_; }

  /// Appends `event` to aggregate `id` (waiting for acks) and returns `current` with the event
  /// folded in and its position moved past the event: the command side's live state.
  /// Errors: KafkaException _VALUE_SERIALIZATION (the event's to_json), _INVALID_ARG (empty
  /// id), any send error (_MSG_TIMED_OUT, _UNKNOWN_TOPIC, NOT_ENOUGH_REPLICAS ...); whatever
  /// apply throws (the event is already written then).
  Aggregate<State> append(const std::string& id, Aggregate<State> current, const Event& event) {
    if (id.empty())
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "append: empty aggregate id"));
    auto value = event_serde_.serialize(event);
    if (!value) throw KafkaException(value.error(), "append to " + id);
    auto report = producer_.send_sync(
        client::ProducerRecord{.topic = event_topic_, .key = id, .value = std::move(value).value()},
        timeout_);
    if (report.error) throw KafkaException(report.error, "append to " + id);
    current.state = fold_.apply(std::move(current.state), event);
    current.partition = report.partition;
    current.offset = report.offset + 1;
    ++current.events_applied;
    return current;
  }

  /// Folds every event of `id` from the start of the event topic up to its end as of the call.
  /// Errors: KafkaException _TIMED_OUT (the end not reached in time), _VALUE_DESERIALIZATION
  /// naming the record, UNKNOWN_TOPIC_OR_PART, whatever apply throws.
  Aggregate<State> rebuild(const std::string& id) {
    Aggregate<State> out{.state = fold_.initial()};
    auto ends = read_events({}, [&](const client::Record& r) {
      ++out.events_read;
      if (r.key() != id) return;
      out.state = fold_.apply(std::move(out.state), decode_event(r));
      out.partition = r.partition();
      ++out.events_applied;
    });
    if (out.partition >= 0) out.offset = ends.at(out.partition);
    return out;
  }

  /// rebuild() of every aggregate in the topic in one pass. Each result's events_read is the
  /// whole pass. Errors: as rebuild().
  std::map<std::string, Aggregate<State>> rebuild_all() {
    std::map<std::string, Aggregate<State>> out;
    std::size_t read = 0;
    auto ends = read_events({}, [&](const client::Record& r) {
      ++read;
      if (!r.key())
        throw KafkaException(Error(RD_KAFKA_RESP_ERR__BAD_MSG, "event " + client::coordinates(r) +
                                                                   " has no key (aggregate id)"));
      auto [it, fresh] = out.try_emplace(std::string(*r.key()));
      auto& agg = it->second;
      if (fresh) agg.state = fold_.initial();
      agg.state = fold_.apply(std::move(agg.state), decode_event(r));
      agg.partition = r.partition();
      ++agg.events_applied;
    });
    for (auto& [id, agg] : out) {
      agg.offset = ends.at(agg.partition);
      agg.events_read = read;
    }
    return out;
  }

  /// Writes {state, partition, offset} of `aggregate` as the snapshot of `id` (keyed by id on
  /// the compacted snapshot topic), waiting for acks.
  /// Errors: KafkaException _INVALID_ARG (empty id, or an aggregate with no event: nothing to
  /// snapshot), _VALUE_SERIALIZATION (the state's to_json), any send error.
  void save_snapshot(const std::string& id, const Aggregate<State>& aggregate) {
    if (id.empty() || aggregate.partition < 0)
      throw KafkaException(Error(
          RD_KAFKA_RESP_ERR__INVALID_ARG,
          "save_snapshot: " + (id.empty() ? std::string("empty id") : id + " has no event yet")));
    nlohmann::json doc;
    try {
      doc = {{"state", aggregate.state},
             {"partition", aggregate.partition},
             {"offset", aggregate.offset}};
    } catch (const std::exception& e) {
      throw KafkaException(
          Error(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, "snapshot of " + id + ": " + e.what()));
    }
    auto report = producer_.send_sync(
        client::ProducerRecord{.topic = snapshot_topic_, .key = id, .value = doc.dump()}, timeout_);
    if (report.error) throw KafkaException(report.error, "snapshot of " + id);
  }

  /// The latest snapshot of `id` (the whole snapshot topic is read to its end), or nullopt.
  /// A tombstone deletes the snapshot. Errors: KafkaException _TIMED_OUT,
  /// _VALUE_DESERIALIZATION naming the record, UNKNOWN_TOPIC_OR_PART.
  std::optional<Aggregate<State>> load_snapshot(const std::string& id) {
    std::optional<Aggregate<State>> out;
    read_to_end(snapshot_topic_, {}, [&](const client::Record& r) {
      if (r.key() != id) return;
      if (!r.value()) {
        out.reset();
        return;
      }
      auto parsed = json_serde_.deserialize(r.value());
      if (!parsed) throw KafkaException(parsed.error(), "snapshot " + client::coordinates(r));
      const auto& doc = parsed.value();
      try {
        out = Aggregate<State>{.state = doc.at("state").template get<State>(),
                               .partition = doc.at("partition").template get<std::int32_t>(),
                               .offset = doc.at("offset").template get<std::int64_t>(),
                               .from_snapshot = true};
      } catch (const std::exception& e) {
        throw KafkaException(Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
                                   "snapshot " + client::coordinates(r) + ": " + e.what()));
      }
    });
    return out;
  }

  /// The latest snapshot of `id` plus the events after it (only its partition, only from the
  /// snapshot's offset); without a snapshot, rebuild(id). events_read counts event records only.
  /// Errors: those of load_snapshot() and rebuild().
  Aggregate<State> rebuild_from_snapshot(const std::string& id) {
    auto snapshot = load_snapshot(id);
    if (!snapshot) return rebuild(id);
    auto out = std::move(*snapshot);
    auto ends =
        read_events({{event_topic_, out.partition, out.offset}}, [&](const client::Record& r) {
          ++out.events_read;
          if (r.key() != id) return;
          out.state = fold_.apply(std::move(out.state), decode_event(r));
          ++out.events_applied;
        });
    out.offset = std::max(out.offset, ends.at(out.partition));
    return out;
  }

 private:
  using Visit = std::function<void(const client::Record&)>;

  static client::Config producer_config(client::Config config) {
    if (!config.get(client::keys::enable_idempotence)) config.enable_idempotence(true);
    return config;
  }

  Event decode_event(const client::Record& r) const {
    auto event = event_serde_.deserialize(r.value());
    if (!event) throw KafkaException(event.error(), "event " + client::coordinates(r));
    return std::move(event).value();
  }

  std::map<std::int32_t, std::int64_t> read_events(std::vector<client::TopicPartition> from,
                                                   const Visit& visit) {
    return read_to_end(event_topic_, std::move(from), visit);
  }

  // Reads `topic` (the partitions in `from` starting at their offsets; empty: every partition
  // from its start) up to each partition's end offset captured before reading. Returns those
  // end offsets.
  std::map<std::int32_t, std::int64_t> read_to_end(const std::string& topic,
                                                   std::vector<client::TopicPartition> from,
                                                   const Visit& visit) {
    client::ReadToEndOptions options;
    options.from = std::move(from);
    options.timeout = timeout_;
    return client::read_to_end(config_, topic, visit, options).ends;
  }

  client::Config config_;
  std::string event_topic_;
  std::string snapshot_topic_;
  EventFold<State, Event> fold_;
  std::chrono::milliseconds timeout_;
  client::JsonSerde<Event> event_serde_;
  client::JsonSerde<nlohmann::json> json_serde_;
  client::Producer producer_;
};

}  // namespace klab::framework
