#pragma once
// The lab's schema registry (8.1.2) as `klab up --with-registry` runs it: remembered beside the
// cluster's state, so the next `klab up` starts it again and `klab down` stops it.
#include <cstdint>
#include <optional>
#include <string>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/schema_registry.hpp"

namespace klab::lab {

inline constexpr std::uint16_t default_registry_port = 8085;

/// The lab's registry when one was started before (its port is remembered), else nullopt.
/// Errors: none.
std::optional<klab::cluster::SchemaRegistry> lab_registry(const klab::cluster::LabPaths& paths);

/// Starts the lab's registry on `port` (0: the remembered one, else 8085) and remembers it.
/// Errors: ClusterError from SchemaRegistry::start (not installed, port taken, no answer).
klab::cluster::SchemaRegistry start_lab_registry(const klab::cluster::LabPaths& paths,
                                                 std::uint16_t port = 0);

/// The Confluent-compatible URL clients should use: $KLAB_REGISTRY_URL, else the lab's
/// running registry, else "". Errors: none.
std::string registry_url(const klab::cluster::LabPaths& paths);

}  // namespace klab::lab
