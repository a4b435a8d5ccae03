#pragma once
// The out-of-memory drill's side of a lab node: settings that let a stray request kill it, the
// check that it now refuses that request and lives, and the way back to the lab's own settings.
#include <map>
#include <string>

#include "klab/cluster/local_cluster.hpp"
#include "klab/lab/drill.hpp"

namespace klab::lab::drill_broker {

/// Gives node `id` these broker properties and restarts it (starts it when it is down).
/// Errors: ClusterError when it does not start with them (its log says why).
void apply(klab::cluster::LocalCluster& lab, int id,
           const std::map<std::string, std::string>& properties);

/// Node `id` back on the lab's own settings: restarted (or started) when the lab runs, the
/// overrides only dropped when it does not (it starts with them gone at the next `klab up`).
/// Errors: ClusterError when it does not start.
void restore(klab::cluster::LocalCluster& lab, int id);

/// Passed when node `id` runs, refuses an HTTP request written to its Kafka port and still
/// runs a moment later. Errors: none.
DrillCheck check(const klab::cluster::LocalCluster& lab, int id,
                 const std::map<std::string, std::string>& properties, const std::string& fix);

}  // namespace klab::lab::drill_broker
