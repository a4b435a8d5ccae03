#pragma once
// The lab's own cluster as `klab up` runs it, for the CLI and the drills alike.
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/local_cluster.hpp"

namespace klab::lab {

/// The LocalCluster in paths.state_dir. 0 for nodes / port keeps what the lab already has (or
/// the defaults for a new one). KLAB_LIGHT_JVM=1 runs C1-only nodes (slow machines, CI).
/// Errors: none here; LocalCluster's own on use.
klab::cluster::LocalCluster lab_cluster(const klab::cluster::LabPaths& paths, int nodes = 0,
                                        int port = 0, bool secure = false);

}  // namespace klab::lab
