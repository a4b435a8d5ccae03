#pragma once
// A rolling version upgrade of the lab (8.1.3), written once for `klab upgrade` and the lesson:
// one node at a time onto other Kafka jars, waiting for every ISR to fill up again in between,
// then finalizing metadata.version with Kafka's own kafka-features tool.
#include <filesystem>
#include <optional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/target.hpp"

namespace klab::lab {

/// The cluster's finalized metadata.version ("4.3-IV0"), from `kafka-features describe`.
/// Errors: LabError failed with the tool's output when it fails or prints no metadata.version.
std::string finalized_metadata_version(const klab::cluster::KafkaRuntime& runtime,
                                       const klab::cluster::ClusterTarget& target);

/// Restarts node `id` of `lab` on `libs` (nullopt: the lab's pinned Kafka): controlled
/// shutdown, switch, start, then waits until no partition of the cluster is under-replicated.
/// Errors: ClusterError from the launcher (a node that dies at start-up, with its log: e.g. an
/// old version that cannot read a finalized metadata.version); LabError failed when the ISRs do
/// not fill up within `timeout`.
void roll_node(klab::cluster::LocalCluster& lab, int id,
               const std::optional<std::filesystem::path>& libs,
               const klab::client::Config& admin_config, std::chrono::milliseconds timeout,
               const klab::cluster::Progress& progress = {});

/// Sets every feature to the level of `runtime`'s release ("4.4"): from here on only that
/// version (or newer) can read the cluster's metadata. Errors: LabError failed with the tool's
/// output.
void finalize_upgrade(const klab::cluster::KafkaRuntime& runtime,
                      const klab::cluster::ClusterTarget& target);

/// "4.4" of "4.4.0". Errors: none.
std::string release_of(const std::string& kafka_version);

}  // namespace klab::lab
