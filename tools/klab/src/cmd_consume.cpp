// consume: records to stdout until --max, an idle --timeout-ms, or Ctrl-C.
// Two ways to read: as a group member (subscribe: the group picks the partitions and the start
// is its committed offset), or by manual assignment (--partition, --offset, --timestamp: klab
// picks the partitions and where to start, and no group membership is involved).
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>
#include <random>

#include "commands.hpp"
#include "context.hpp"
#include "interrupt.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/lab/time_parse.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using klab::client::TopicPartition;

struct ConsumeOptions {
  std::string topic;
  std::string group;
  bool from_beginning = false;
  std::optional<std::int64_t> offset;
  std::string timestamp;
  std::optional<std::int32_t> partition;
  std::string isolation = "read_uncommitted";
  long max = 0;
  long timeout_ms = 0;
  bool print_key = false;
  bool print_headers = false;
  bool print_offset = false;
};

// Checks the partition flags against each other, before any connection (exit code 2).
void check_combinations(const ConsumeOptions& o) {
  if (o.offset && o.from_beginning)
    throw CommandError(
        "--offset and --from-beginning both say where to start: keep one (--offset 0 is the "
        "first offset ever written, --from-beginning the oldest one still kept)",
        2);
  if (!o.timestamp.empty() && o.from_beginning)
    throw CommandError(
        "--timestamp and --from-beginning both say where to start: keep one of the two", 2);
  if (o.offset && !o.timestamp.empty())
    throw CommandError("--offset and --timestamp both say where to start: keep one of the two", 2);
  if ((o.offset || !o.timestamp.empty()) && !o.group.empty() && !o.partition)
    throw CommandError(
        fmt::format("{} with --group needs --partition: a group member gets its partitions from "
                    "the group, so there is nothing to seek yet; add --partition P, drop --group, "
                    "or move the group with `klab groups reset-offsets {}`",
                    o.offset ? "--offset" : "--timestamp", o.group),
        2);
  if (o.isolation != "read_uncommitted" && o.isolation != "read_committed")
    throw CommandError(
        fmt::format("--isolation must be read_uncommitted or read_committed, not '{}'",
                    o.isolation),
        2);
}

// The partitions to assign, each with its start offset. Errors: CommandError for a missing
// topic or partition, an --offset outside the partition, a failed timestamp lookup.
std::vector<TopicPartition> start_positions(const ConsumeOptions& o, const Context& ctx,
                                            const klab::client::Consumer& consumer,
                                            std::optional<std::int64_t> timestamp_ms) {
  klab::client::Admin admin(ctx.client_config());
  auto described = admin.describe_topics({o.topic}, 10s);
  if (!described.empty())
    throw_if_refused(
        ctx, described.front().error,
        {klab::client::AclOperation::describe, klab::client::AclResourceType::topic, o.topic});
  if (described.empty() || described.front().error)
    throw CommandError(
        fmt::format("topic {} does not exist: create it with `klab topics create {}` or check "
                    "the name with `klab topics list`",
                    o.topic, o.topic));
  const auto& topic = described.front();
  std::vector<TopicPartition> partitions;
  for (const auto& p : topic.partitions)
    if (!o.partition || p.id == *o.partition) partitions.push_back({o.topic, p.id});
  if (partitions.empty())
    throw CommandError(fmt::format("topic {} has partitions 0 to {}, not {}: pick one of those",
                                   o.topic, topic.partitions.size() - 1, *o.partition),
                       2);

  if (timestamp_ms) {
    for (auto& tp : partitions) tp.offset = *timestamp_ms;
    auto found = consumer.offsets_for_times(partitions, 10s);
    for (const auto& tp : found)
      if (tp.error)
        throw CommandError(fmt::format("looking up --timestamp in {}/{}: {}", tp.topic,
                                       tp.partition, tp.error.to_string()));
    // -1: no record is that new yet, so the partition starts at its end.
    for (auto& tp : found)
      if (tp.offset < 0) tp.offset = klab::client::offset_end;
    return found;
  }
  for (auto& tp : partitions) {
    if (o.offset) {
      auto w = admin.watermark_offsets(tp.topic, tp.partition, 10s);
      if (o.partition && (*o.offset < w.low || *o.offset > w.high))
        throw CommandError(
            fmt::format("--offset {} is outside {}/{}, which holds offsets {} to {} (the next "
                        "record gets {}): pick an offset in that range",
                        *o.offset, tp.topic, tp.partition, w.low, w.high - 1, w.high),
            2);
      // Reading every partition: each starts at N, or at the nearest end of what it holds.
      tp.offset = std::clamp(*o.offset, w.low, w.high);
    } else if (!o.group.empty()) {
      tp.offset = klab::client::offset_stored;  // the group's commit, else auto.offset.reset
    } else {
      tp.offset = o.from_beginning ? klab::client::offset_beginning : klab::client::offset_end;
    }
  }
  return partitions;
}

void cmd_consume(const ConsumeOptions& o) {
  check_combinations(o);
  std::optional<std::int64_t> timestamp_ms;
  if (!o.timestamp.empty()) timestamp_ms = klab::lab::parse_time_ms("--timestamp", o.timestamp);
  bool manual = o.partition || o.offset || timestamp_ms;

  auto ctx = make_context();
  auto config = ctx.client_config();
  bool own_group = !o.group.empty();
  // Without --group, a throw-away group that never commits, like kafka-console-consumer.
  // (librdkafka 2.0.2 wants a group.id even for manual assignment; it never joins it.)
  std::string group = own_group ? o.group : klab::client::throwaway_group_id("console");
  config.group_id(group);
  config.auto_offset_reset(o.from_beginning ? klab::client::OffsetReset::earliest
                                            : klab::client::OffsetReset::latest);
  // With manual assignment only the final commit_sync() below writes the group's offsets.
  config.enable_auto_commit(own_group && !manual);
  config.isolation_level(o.isolation == "read_committed"
                             ? klab::client::IsolationLevel::read_committed
                             : klab::client::IsolationLevel::read_uncommitted);
  klab::client::Consumer consumer(config);
  if (manual)
    consumer.assign(start_positions(o, ctx, consumer, timestamp_ms));
  else
    consumer.subscribe({o.topic});
  catch_interrupts();

  long count = 0;
  auto last = std::chrono::steady_clock::now();
  while (!interrupted() && (o.max == 0 || count < o.max)) {
    auto r = consumer.poll(200ms);
    if (!r) {
      if (o.timeout_ms > 0 &&
          std::chrono::steady_clock::now() - last > std::chrono::milliseconds(o.timeout_ms))
        break;
      continue;
    }
    if (r->error()) {
      consumer.close();
      throw_if_refused(
          ctx, r->error(),
          {klab::client::AclOperation::read, klab::client::AclResourceType::topic, o.topic}, group);
      throw CommandError(fmt::format("consuming {}: {}", o.topic, r->error().to_string()));
    }
    last = std::chrono::steady_clock::now();
    std::string prefix;
    if (o.print_offset)
      prefix += fmt::format("{}/{}@{}\t", r->topic(), r->partition(), r->offset());
    if (o.print_key) prefix += std::string(r->key().value_or("null")) + "\t";
    if (o.print_headers) {
      std::string hs;
      for (const auto& h : r->headers())
        hs += (hs.empty() ? "" : ",") + h.key + "=" + std::string(h.value.value_or("null"));
      prefix += hs + "\t";
    }
    fmt::print("{}{}\n", prefix, r->value().value_or("null"));
    std::fflush(stdout);
    ++count;
  }
  if (own_group && count > 0) {
    try {
      consumer.commit_sync();
    } catch (const klab::KafkaException& e) {
      consumer.close();
      throw CommandError(fmt::format(
          "the records were read but committing them to group {} failed ({}){}", o.group,
          e.error().to_string(),
          manual ? ": a group with active members refuses commits from outside it; stop its "
                   "consumers or drop --group"
                 : ": run the command again"));
    }
  }
  consumer.close();
  fmt::print(stderr, "Consumed {} record(s) from {}.\n", count, o.topic);
}

}  // namespace

void add_consume_command(CLI::App& app) {
  static ConsumeOptions o;
  auto* c = app.add_subcommand("consume", "Print records of a topic, one per line");
  c->add_option("topic", o.topic, "topic to read")->required();
  c->add_option("--group,-g", o.group,
                "consumer group: resumes from and commits its offsets (default: a throw-away "
                "group that commits nothing)");
  c->add_flag("--from-beginning", o.from_beginning,
              "start at the earliest offset when the group has no committed offset");
  c->add_option("--partition,-p", o.partition,
                "read only this partition, assigned directly (no group membership or "
                "rebalancing); with --group, still resumes from and commits the group's offset")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--offset", o.offset,
                "start at this offset: in --partition, or in every partition (each clamped to "
                "what it holds)")
      ->check(CLI::NonNegativeNumber);
  c->add_option("--timestamp", o.timestamp,
                "start at the first record at or after this time: ms since the epoch or "
                "2026-11-24T10:00:00Z (a zone, Z or +09:00, is required)");
  c->add_option("--isolation", o.isolation,
                "read_uncommitted (every record, even of open or aborted transactions) or "
                "read_committed (only committed transactions, up to the last stable offset)")
      ->capture_default_str();
  c->add_option("--max,-n", o.max, "stop after this many records")->check(CLI::NonNegativeNumber);
  c->add_option("--timeout-ms", o.timeout_ms, "stop after this long without a record")
      ->check(CLI::NonNegativeNumber);
  c->add_flag("--print-key", o.print_key, "print the key before the value");
  c->add_flag("--print-headers", o.print_headers, "print headers as name=value,...");
  c->add_flag("--print-offset", o.print_offset, "print topic/partition@offset first");
  c->callback([] { cmd_consume(o); });
}

}  // namespace klab::cli
