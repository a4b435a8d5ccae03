// groups list|describe|reset-offsets: consumer groups, their members, their lag, and moving
// their committed offsets while they are stopped.
#include <fmt/core.h>

#include <algorithm>
#include <optional>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/lab/lag.hpp"
#include "klab/lab/offset_reset.hpp"
#include "klab/lab/time_parse.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;
using klab::client::TopicPartition;

std::string offset_text(std::int64_t offset) { return offset >= 0 ? std::to_string(offset) : "-"; }

// "node 1 (127.0.0.1:9092)", or just "node 1" when the cluster does not list it.
std::string broker_text(klab::client::Admin& admin, std::int32_t id) {
  if (id < 0) return "unknown";
  for (const auto& b : admin.describe_cluster(10s).brokers)
    if (b.id == id) return fmt::format("node {} ({}:{})", id, b.host, b.port);
  return fmt::format("node {}", id);
}

void cmd_list() {
  auto ctx = make_context();
  klab::client::Admin admin(ctx.client_config());
  auto groups = admin.list_groups(10s);
  if (groups.empty()) fmt::print(stderr, "(no consumer groups yet)\n");
  fmt::print("{:<40} {:<20} {}\n", "group", "state", "protocol");
  for (const auto& g : groups) fmt::print("{:<40} {:<20} {}\n", g.group_id, g.state, g.protocol);
}

void cmd_describe(const std::string& group) {
  auto ctx = make_context();
  klab::client::Admin admin(ctx.client_config());
  auto g = admin.describe_group(group, 10s);
  if (g.error)
    throw CommandError(fmt::format("describing group {}: {}", group, g.error.to_string()));
  fmt::print("Group {}  state {}  protocol {}  members {}\n", g.group_id, g.state,
             g.protocol.empty() ? "-" : g.protocol, g.members.size());
  fmt::print("  coordinator {}\n", broker_text(admin, g.coordinator_id));
  if (g.state == "Dead")
    fmt::print(stderr, "(no group {} is known to the cluster: nothing committed, no members)\n",
               group);
  if (!g.members.empty()) {
    fmt::print("\n  {:<50} {:<24} {:<16} {}\n", "member", "client", "host", "partitions");
    for (const auto& m : g.members) {
      std::string parts;
      for (const auto& tp : m.assignment)
        parts += (parts.empty() ? "" : " ") + tp.topic + "/" + std::to_string(tp.partition);
      fmt::print("  {:<50} {:<24} {:<16} {}\n", m.member_id, m.client_id, m.client_host,
                 parts.empty() ? "-" : parts);
    }
  }
  auto lag = klab::lab::group_lag(admin, group, 10s);
  long total = 0;
  fmt::print("\n  {:<40} {:>9} {:>10} {:>10} {:>8}\n", "topic", "partition", "committed", "end",
             "lag");
  for (const auto& l : lag) {
    fmt::print("  {:<40} {:>9} {:>10} {:>10} {:>8}\n", l.topic, l.partition,
               offset_text(l.committed), l.log_end, l.lag);
    total += l.lag;
  }
  fmt::print("  total lag {}\n", total);
}

struct ResetOptions {
  std::string group;
  std::string topic;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<std::int64_t> to_offset;
  std::string to_datetime;
  bool execute = false;
};

void cmd_reset_offsets(const ResetOptions& o) {
  int targets = int(o.to_earliest) + int(o.to_latest) + int(o.to_offset.has_value()) +
                int(!o.to_datetime.empty());
  if (targets != 1)
    throw CommandError(
        fmt::format("{}: give exactly one of --to-earliest, --to-latest, --to-offset N, "
                    "--to-datetime TIME",
                    targets == 0 ? "where to? no target offset given" : "more than one target"),
        2);
  using klab::lab::ResetTarget;
  klab::lab::ResetRequest request{o.group, {o.topic}, ResetTarget::earliest()};
  if (o.to_latest) request.to = ResetTarget::latest();
  if (o.to_offset) request.to = ResetTarget::to_offset(*o.to_offset);
  if (!o.to_datetime.empty())
    request.to =
        ResetTarget::to_timestamp(klab::lab::parse_time_ms("--to-datetime", o.to_datetime));

  auto ctx = make_context();
  klab::client::Admin admin(ctx.client_config());
  auto plan = klab::lab::plan_offset_reset(admin, ctx.client_config(), request, 10s);
  fmt::print("{} offsets of group {} to {}:\n", o.execute ? "Resetting" : "Plan to reset", o.group,
             klab::lab::describe(plan.to));
  fmt::print("  {:<40} {:>9} {:>10} {:>10}\n", "topic", "partition", "committed", "new");
  for (const auto& p : plan.offsets)
    fmt::print("  {:<40} {:>9} {:>10} {:>10}{}\n", p.topic, p.partition, offset_text(p.current),
               p.target, p.note.empty() ? "" : "  (" + p.note + ")");
  if (!o.execute) {
    fmt::print("Dry run: nothing changed. Add --execute to apply this plan.\n");
    return;
  }
  klab::lab::execute_offset_reset(admin, plan, 10s);
  fmt::print("Done: group {} will read {} from the new offsets when its consumers start.\n",
             o.group, o.topic);
}

}  // namespace

void add_group_commands(CLI::App& app) {
  auto* groups = app.add_subcommand("groups", "Consumer groups and their lag");
  groups->require_subcommand(1);
  groups->add_subcommand("list", "Group names and states")->callback([] { cmd_list(); });
  static std::string group;
  auto* d = groups->add_subcommand(
      "describe", "State, coordinator, members with their partitions, and per-partition lag");
  d->add_option("group", group, "group id")->required();
  d->callback([] { cmd_describe(group); });

  static ResetOptions r;
  auto* reset = groups->add_subcommand(
      "reset-offsets",
      "Move a stopped group's committed offsets on a topic (a dry run unless --execute)");
  reset->add_option("group", r.group, "group id")->required();
  reset->add_option("--topic,-t", r.topic, "topic whose partitions to move (all of them)")
      ->required();
  reset->add_flag("--to-earliest", r.to_earliest, "to the oldest record still kept");
  reset->add_flag("--to-latest", r.to_latest, "to the log end: skip everything there now");
  reset
      ->add_option("--to-offset", r.to_offset,
                   "to this offset in every partition (clamped to what each holds)")
      ->check(CLI::NonNegativeNumber);
  reset->add_option("--to-datetime", r.to_datetime,
                    "to the first record at or after this time: ms since the epoch or "
                    "2026-11-24T10:00:00Z (a zone, Z or +09:00, is required)");
  reset->add_flag("--execute", r.execute,
                  "apply the plan (without it, only print the plan: current and new offsets)");
  reset->callback([] { cmd_reset_offsets(r); });
}

}  // namespace klab::cli
