#pragma once
// Kafka's own kafka-acls tool (org.apache.kafka.tools.AclCommand), for the one kind of ACL
// librdkafka 2.0.2 cannot send: bindings on TRANSACTIONAL_ID resources (librdkafka 2.6.0 added
// the type). Everything else goes through klab::client::Admin's ACL calls.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "klab/client/acl.hpp"
#include "klab/cluster/kafka_runtime.hpp"

namespace klab::cluster {

enum class AclChange { add, remove };

/// kafka-acls arguments (after --bootstrap-server/--command-config) adding or removing exactly
/// `binding`. Throws ClusterError for an `any` field, which names no single binding.
std::vector<std::string> acl_command_arguments(const client::AclBinding& binding, AclChange change);

/// Runs kafka-acls against `bootstrap`, with an optional librdkafka properties file translated
/// to the Java client's names. Throws ClusterError with the tool's output when it fails.
void run_acl_command(const KafkaRuntime& runtime, const std::string& bootstrap,
                     const std::optional<std::filesystem::path>& command_config,
                     const client::AclBinding& binding, AclChange change);

}  // namespace klab::cluster
