#pragma once
// SCRAM users (credentials the brokers keep in the cluster metadata). librdkafka 2.0.2 has no
// SCRAM admin API (DescribeUserScramCredentials / AlterUserScramCredentials came in 2.2.0), so
// these run Kafka's own kafka-configs tool with the target's client properties.
#include <string>
#include <vector>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"

namespace klab::lab {

struct ScramUser {
  std::string name;
  std::vector<std::string> mechanisms;  ///< e.g. "SCRAM-SHA-512 iterations=4096"
};

/// Parses `kafka-configs --describe --entity-type users` output, sorted by name. Lines that
/// are not credential lines are ignored. Errors: none.
std::vector<ScramUser> parse_scram_users(const std::string& tool_output);

/// Every SCRAM user. Throws LabError failed with the tool's last line (e.g. not authorized:
/// describing credentials needs DESCRIBE on the cluster).
std::vector<ScramUser> list_scram_users(const cluster::LabPaths& paths,
                                        const cluster::ClusterTarget& target);
/// Creates `name` or replaces its password (SCRAM-SHA-512, 8192 iterations). Throws LabError
/// invalid_input for an empty name or a password under 8 characters, failed as above.
void add_scram_user(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                    const std::string& name, const std::string& password);
/// Deletes `name`'s SCRAM-SHA-512 credential. Throws LabError not_found when it has none.
void delete_scram_user(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                       const std::string& name);

}  // namespace klab::lab
