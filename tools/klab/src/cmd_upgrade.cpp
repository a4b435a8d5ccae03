// upgrade: the lab's rolling version upgrade (8.1.3), one node at a time, then finalize.
#include <fmt/core.h>

#include "commands.hpp"
#include "context.hpp"
#include "klab/cluster/await.hpp"
#include "klab/lab/lab_cluster.hpp"
#include "klab/lab/upgrade.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;

struct UpgradeOptions {
  bool rollback = false;
  bool finalize = false;
};

void cmd_upgrade(const UpgradeOptions& o) {
  auto ctx = make_context();
  if (ctx.target.external)
    throw CommandError(
        "`klab upgrade` rolls the lab's own nodes; KLAB_BOOTSTRAP names another cluster");
  if (o.rollback && o.finalize)
    throw CommandError("--rollback and --finalize exclude each other", 2);
  auto lab = klab::lab::lab_cluster(ctx.paths);
  if (!lab.formatted() || !lab.all_running())
    throw CommandError("every node of the lab must run: `klab up` first");
  auto pinned = klab::cluster::KafkaRuntime::locate(ctx.paths);
  auto previous = klab::cluster::KafkaRuntime::locate(ctx.paths, ctx.paths.kafka_previous_libs);
  auto metadata = klab::lab::finalized_metadata_version(pinned, ctx.target);

  if (o.finalize) {
    for (int id = 1; id <= lab.node_count(); ++id)
      if (lab.node_kafka_version(id) != pinned.kafka_version())
        throw CommandError(fmt::format(
            "node {} still runs Kafka {}: `klab upgrade` every node to {} before finalizing", id,
            lab.node_kafka_version(id), pinned.kafka_version()));
    klab::lab::finalize_upgrade(pinned, ctx.target);
    fmt::print(
        "metadata.version {} -> {}. Kafka {} can no longer read this cluster: there is no "
        "rollback from here.\n",
        metadata, klab::lab::finalized_metadata_version(pinned, ctx.target),
        previous.kafka_version());
    return;
  }

  const auto& target = o.rollback ? previous : pinned;
  if (o.rollback && metadata.rfind(klab::lab::release_of(previous.kafka_version()), 0) != 0)
    throw CommandError(fmt::format(
        "metadata.version {} is finalized: Kafka {} cannot read this cluster's metadata any "
        "more, so a rollback is refused (it was possible until `klab upgrade --finalize`)",
        metadata, previous.kafka_version()));
  int rolled = 0;
  for (int id = 1; id <= lab.node_count(); ++id) {
    if (lab.node_kafka_version(id) == target.kafka_version()) continue;
    klab::lab::roll_node(lab, id,
                         o.rollback
                             ? std::optional<std::filesystem::path>(ctx.paths.kafka_previous_libs)
                             : std::nullopt,
                         ctx.client_config(), klab::cluster::scaled(180s),
                         [](const std::string& line) { fmt::print("  {}\n", line); });
    ++rolled;
  }
  if (rolled == 0)
    fmt::print("Every node already runs Kafka {}.\n", target.kafka_version());
  else
    fmt::print("{} node(s) now run Kafka {}, one at a time, each back in sync before the next.\n",
               rolled, target.kafka_version());
  if (!o.rollback)
    fmt::print(
        "metadata.version is still {}: until `klab upgrade --finalize`, `klab upgrade "
        "--rollback` can go back to Kafka {}.\n",
        klab::lab::finalized_metadata_version(pinned, ctx.target), previous.kafka_version());
}

}  // namespace

void add_upgrade_command(CLI::App& app) {
  static UpgradeOptions o;
  auto* u = app.add_subcommand(
      "upgrade",
      "Rolling upgrade of the lab to the pinned Kafka, one node at a time (a lab started with "
      "`klab up --kafka-version previous`); then --finalize, or --rollback before that");
  u->add_flag("--rollback", o.rollback,
              "roll every node back to the previous Kafka (only before --finalize)");
  u->add_flag("--finalize", o.finalize,
              "raise metadata.version and the other features to the pinned release (no way back)");
  u->callback([] { cmd_upgrade(o); });
}

}  // namespace klab::cli
