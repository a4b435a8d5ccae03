#include "klab/testing/delivery_ledger.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <ostream>
#include <random>
#include <sstream>
#include <string_view>
#include <tuple>

#include "klab/client/consumer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/await.hpp"

namespace klab::testing {
namespace {
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

enum class Outcome : std::uint8_t { unreported, acknowledged, failed, uncertain };

Outcome outcome_of(const client::DeliveryReport& report) {
  if (!report.error) return Outcome::acknowledged;
  // "persisted" with an error contradicts itself: neither count can be trusted, so uncertain.
  return report.status == client::PersistenceStatus::not_persisted ? Outcome::failed
                                                                   : Outcome::uncertain;
}

std::string random_run_id() {
  // 48 random bits in hex: reruns and parallel ledgers on one topic never collide in practice.
  std::random_device rd;
  std::uint64_t bits = (std::uint64_t{rd()} << 32) ^ rd();
  char out[13];
  std::snprintf(out, sizeof out, "%012llx",
                static_cast<unsigned long long>(bits & 0xffff'ffff'ffffULL));
  return out;
}

// "<run>/<seq>" followed by nothing but '.' padding; anything else is not this run's record.
std::optional<std::uint64_t> parse_seq(std::string_view run, std::string_view value) {
  if (value.size() <= run.size() + 1 || !value.starts_with(run) || value[run.size()] != '/')
    return std::nullopt;
  auto digits = value.substr(run.size() + 1);
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end == digits.data()) return std::nullopt;
  if (!std::all_of(end, digits.data() + digits.size(), [](char c) { return c == '.'; }))
    return std::nullopt;
  return seq;
}

void add_id(std::vector<std::uint64_t>& ids, std::uint64_t seq) {
  if (ids.size() < LedgerReport::max_listed_ids) ids.push_back(seq);
}

// Adds one record's producer-side outcome to the report's columns.
void count_outcome(LedgerReport& r, Outcome o) {
  ++r.attempted;
  switch (o) {
    case Outcome::unreported:
      ++r.unreported;
      break;
    case Outcome::acknowledged:
      ++r.acknowledged;
      break;
    case Outcome::failed:
      ++r.failed;
      break;
    case Outcome::uncertain:
      ++r.uncertain;
      break;
  }
}

}  // namespace

std::string LedgerReport::table() const {
  const std::pair<const char*, std::size_t> columns[] = {
      {"attempted", attempted},   {"acked", acknowledged},
      {"failed", failed},         {"uncertain", uncertain},
      {"unreported", unreported}, {"consumed", consumed_unique},
      {"duplicates", duplicates}, {"lost", lost},
      {"phantoms", phantoms},     {"out_of_order", order_violations},
      {"foreign", foreign},
  };
  std::string header, values;
  for (const auto& [name, value] : columns) {
    std::string number = std::to_string(value);
    std::size_t width = std::max(std::string_view(name).size(), number.size());
    if (!header.empty()) {
      header += "  ";
      values += "  ";
    }
    header.append(width - std::string_view(name).size(), ' ').append(name);
    values.append(width - number.size(), ' ').append(number);
  }
  return header + '\n' + values;
}

std::ostream& operator<<(std::ostream& os, const LedgerReport& report) {
  return os << report.table();
}

struct DeliveryLedger::State {
  std::mutex mutex;
  std::vector<Outcome> outcomes;  // indexed by seq
  // What resend() needs to rebuild a record: its key and value size, indexed by seq.
  std::vector<std::pair<std::optional<std::string>, std::size_t>> shapes;
  std::map<rd_kafka_resp_err_t, std::size_t> errors;
  std::map<client::PersistenceStatus, std::size_t> statuses;

  // A re-sent record keeps its best outcome: one acknowledgement is enough, and a failed
  // first attempt followed by an uncertain second one is uncertain.
  static int rank(Outcome o) {
    switch (o) {
      case Outcome::unreported:
        return 0;
      case Outcome::failed:
        return 1;
      case Outcome::uncertain:
        return 2;
      case Outcome::acknowledged:
        return 3;
    }
    return 0;
  }
  void set(std::uint64_t seq, Outcome outcome) {
    std::lock_guard lock(mutex);
    auto& o = outcomes.at(seq);
    if (rank(outcome) > rank(o)) o = outcome;
  }
  void report(std::uint64_t seq, const client::DeliveryReport& r) {
    std::lock_guard lock(mutex);
    auto& o = outcomes.at(seq);
    auto outcome = outcome_of(r);
    if (rank(outcome) > rank(o)) o = outcome;
    if (r.error) ++errors[r.error.code()];
    ++statuses[r.status];
  }
  void refused(std::uint64_t seq, const klab::Error& error) {
    std::lock_guard lock(mutex);
    auto& o = outcomes.at(seq);
    if (rank(Outcome::failed) > rank(o)) o = Outcome::failed;
    if (error) ++errors[error.code()];
  }
  std::size_t handed_out() {
    std::lock_guard lock(mutex);
    return outcomes.size();
  }
  std::vector<Outcome> snapshot() {
    std::lock_guard lock(mutex);
    return outcomes;
  }
};

DeliveryLedger::DeliveryLedger(std::string topic)
    : topic_(std::move(topic)), run_(random_run_id()), state_(std::make_shared<State>()) {}
DeliveryLedger::~DeliveryLedger() = default;
DeliveryLedger::DeliveryLedger(DeliveryLedger&&) noexcept = default;
DeliveryLedger& DeliveryLedger::operator=(DeliveryLedger&&) noexcept = default;

const std::string& DeliveryLedger::topic() const noexcept { return topic_; }
const std::string& DeliveryLedger::run() const noexcept { return run_; }

client::ProducerRecord DeliveryLedger::make_record(std::uint64_t seq,
                                                   std::optional<std::string> key,
                                                   std::size_t value_size) const {
  std::string value = run_ + '/' + std::to_string(seq);
  if (value.size() < value_size) value.resize(value_size, '.');
  client::ProducerRecord record;
  record.topic = topic_;
  record.key = std::move(key);
  record.value = std::move(value);
  return record;
}

client::ProducerRecord DeliveryLedger::next(std::optional<std::string> key,
                                            std::size_t value_size) {
  std::uint64_t seq = 0;
  {
    std::lock_guard lock(state_->mutex);
    seq = state_->outcomes.size();
    state_->outcomes.push_back(Outcome::unreported);
    state_->shapes.emplace_back(key, value_size);
  }
  return make_record(seq, std::move(key), value_size);
}

namespace {
// The seq of a record from this ledger's next(), or _INVALID_ARG.
std::uint64_t seq_of(const std::string& run, std::size_t handed_out,
                     const client::ProducerRecord& record) {
  auto seq = record.value ? parse_seq(run, *record.value) : std::nullopt;
  if (!seq || *seq >= handed_out)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "record value '" + record.value.value_or("<null>") +
                                   "' was not made by the delivery ledger of run " + run));
  return *seq;
}
}  // namespace

client::DeliveryCallback DeliveryLedger::track(const client::ProducerRecord& record) {
  auto seq = seq_of(run_, state_->handed_out(), record);
  // The state, not `this`: a producer may deliver after the ledger is gone.
  return
      [state = state_, seq](const client::DeliveryReport& report) { state->report(seq, report); };
}

void DeliveryLedger::rejected(const client::ProducerRecord& record, const klab::Error& error) {
  state_->refused(seq_of(run_, state_->handed_out(), record), error);
}

klab::Error DeliveryLedger::send(client::Producer& producer, std::optional<std::string> key,
                                 std::size_t value_size) {
  auto record = next(std::move(key), value_size);
  // Taken before send() consumes the record, so a refusal costs no copy of the value.
  auto seq = seq_of(run_, state_->handed_out(), record);
  auto callback = track(record);
  auto err = producer.send(std::move(record), std::move(callback));
  if (err) state_->refused(seq, err);
  return err;
}

client::ProducerRecord DeliveryLedger::record_of(std::uint64_t seq) const {
  std::optional<std::string> key;
  std::size_t value_size = 0;
  {
    std::lock_guard lock(state_->mutex);
    if (seq >= state_->shapes.size())
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 "seq " + std::to_string(seq) + " was never handed out"));
    std::tie(key, value_size) = state_->shapes[seq];
  }
  return make_record(seq, std::move(key), value_size);
}

klab::Error DeliveryLedger::resend(client::Producer& producer, std::uint64_t seq) {
  return resend(producer, record_of(seq));
}

klab::Error DeliveryLedger::resend(client::Producer& producer, client::ProducerRecord record) {
  auto seq = seq_of(run_, state_->handed_out(), record);
  auto callback = track(record);
  auto err = producer.send(std::move(record), std::move(callback));
  if (err) state_->refused(seq, err);
  return err;
}

std::vector<std::uint64_t> DeliveryLedger::uncertain_ids() const {
  std::vector<std::uint64_t> out;
  auto outcomes = state_->snapshot();
  for (std::uint64_t seq = 0; seq < outcomes.size(); ++seq)
    if (outcomes[seq] == Outcome::uncertain) out.push_back(seq);
  return out;
}

std::map<rd_kafka_resp_err_t, std::size_t> DeliveryLedger::errors() const {
  std::lock_guard lock(state_->mutex);
  return state_->errors;
}

std::map<client::PersistenceStatus, std::size_t> DeliveryLedger::statuses() const {
  std::lock_guard lock(state_->mutex);
  return state_->statuses;
}

client::DeliveryReport DeliveryLedger::send_sync(client::Producer& producer,
                                                 std::chrono::milliseconds timeout,
                                                 std::optional<std::string> key,
                                                 std::size_t value_size) {
  auto record = next(std::move(key), value_size);
  // Shared with the callback, which may fire after we gave up waiting.
  auto promise = std::make_shared<std::promise<client::DeliveryReport>>();
  auto future = promise->get_future();
  auto err = producer.send(record, [tracked = track(record), promise](const auto& report) {
    tracked(report);
    promise->set_value(report);
  });
  if (err) {
    rejected(record, err);
    throw KafkaException(err, "send to " + topic_);
  }
  if (future.wait_for(timeout) == std::future_status::ready) return future.get();
  client::DeliveryReport pending;
  pending.topic = topic_;
  pending.key = record.key;
  pending.value_size = record.value->size();
  pending.error = Error(RD_KAFKA_RESP_ERR__TIMED_OUT, "no delivery report within " +
                                                          std::to_string(timeout.count()) +
                                                          " ms: the record may still be delivered");
  pending.status = client::PersistenceStatus::possibly_persisted;
  return pending;
}

LedgerReport DeliveryLedger::outcomes() const {
  LedgerReport r;
  for (auto o : state_->snapshot()) count_outcome(r, o);
  return r;
}

LedgerReport DeliveryLedger::compute(const std::vector<Consumed>& consumed) const {
  auto outcomes = state_->snapshot();
  LedgerReport r;

  std::vector<const Consumed*> in_log_order;
  in_log_order.reserve(consumed.size());
  for (const auto& c : consumed) in_log_order.push_back(&c);
  std::stable_sort(in_log_order.begin(), in_log_order.end(), [](const auto* a, const auto* b) {
    return std::pair(a->partition, a->offset) < std::pair(b->partition, b->offset);
  });

  std::vector<std::uint32_t> times_read(outcomes.size(), 0);
  std::map<std::string, std::uint64_t, std::less<>> highest_seq_of_key;
  for (const auto* c : in_log_order) {
    auto seq = parse_seq(run_, c->value);
    if (!seq || *seq >= outcomes.size()) {
      ++r.foreign;
      continue;
    }
    // A repeat (a retried batch written twice, a re-read) is a duplicate, not a reordering.
    if (times_read[*seq]++ > 0 || !c->key) continue;
    auto [it, first] = highest_seq_of_key.try_emplace(*c->key, *seq);
    if (first) continue;
    if (*seq < it->second)
      ++r.order_violations;
    else
      it->second = *seq;
  }

  for (std::uint64_t seq = 0; seq < outcomes.size(); ++seq) {
    auto n = times_read[seq];
    if (n > 0) ++r.consumed_unique;
    if (n > 1) {
      r.duplicates += n - 1;
      add_id(r.duplicate_ids, seq);
    }
    count_outcome(r, outcomes[seq]);
    if (outcomes[seq] == Outcome::acknowledged && n == 0) {
      ++r.lost;
      add_id(r.lost_ids, seq);
    }
    if (outcomes[seq] == Outcome::failed && n > 0) {
      ++r.phantoms;
      add_id(r.phantom_ids, seq);
    }
  }
  return r;
}

LedgerReport DeliveryLedger::reconcile(const client::Config& consumer_config,
                                       std::chrono::milliseconds timeout) const {
  auto config = consumer_config;
  // librdkafka 2.0.2 wants a group even for assign(); nothing is committed to it.
  if (auto group = config.effective(client::keys::group_id); !group || group->empty())
    config.group_id("klab-ledger-" + run_);
  client::ReadToEndOptions options;
  // The real log end, not the last stable offset: right after commit_transaction() returns,
  // the coordinator may not have written the markers yet and the LSO can still trail.
  options.until = client::ReadToEndOptions::Until::log_end;
  options.timeout = klab::cluster::scaled(timeout);
  options.on_error = [](const Error&) {};  // transient (broker down, election): it retries
  std::vector<Consumed> consumed;
  client::read_to_end(
      config, topic_,
      [&](const client::Record& r) {
        auto key = r.key();
        consumed.push_back({r.partition(), r.offset(),
                            key ? std::optional<std::string>(*key) : std::nullopt,
                            std::string(r.value().value_or(""))});
      },
      options);
  return compute(consumed);
}

}  // namespace klab::testing
