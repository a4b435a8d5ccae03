// groups list|describe: consumer groups, their members and their lag.
#include <fmt/core.h>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/admin.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;

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
  fmt::print("Group {}  state {}  protocol {}  members {}\n", g.group_id, g.state, g.protocol,
             g.members.size());
  for (const auto& m : g.members) {
    std::string parts;
    for (const auto& tp : m.assignment)
      parts += (parts.empty() ? "" : " ") + tp.topic + "/" + std::to_string(tp.partition);
    fmt::print("  member {} ({}, {}): {}\n", m.member_id, m.client_id, m.client_host,
               parts.empty() ? "-" : parts);
  }
  auto lag = admin.group_lag(group, 10s);
  long total = 0;
  fmt::print("\n  {:<40} {:>9} {:>10} {:>10} {:>8}\n", "topic", "partition", "committed", "end",
             "lag");
  for (const auto& l : lag) {
    fmt::print("  {:<40} {:>9} {:>10} {:>10} {:>8}\n", l.topic, l.partition,
               l.committed >= 0 ? std::to_string(l.committed) : "-", l.log_end, l.lag);
    total += l.lag;
  }
  fmt::print("  total lag {}\n", total);
}

}  // namespace

void add_group_commands(CLI::App& app) {
  auto* groups = app.add_subcommand("groups", "Consumer groups and their lag");
  groups->require_subcommand(1);
  groups->add_subcommand("list", "Group names and states")->callback([] { cmd_list(); });
  static std::string group;
  auto* d = groups->add_subcommand("describe", "Members, assignments and per-partition lag");
  d->add_option("group", group, "group id")->required();
  d->callback([] { cmd_describe(group); });
}

}  // namespace klab::cli
