#include "klab/cluster/acl_command.hpp"

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/secure_listeners.hpp"

namespace klab::cluster {
namespace {
using namespace std::chrono_literals;
using client::AclBinding;
using client::AclResourceType;

// kafka-acls spells resource options --topic NAME, --group NAME, --cluster, --transactional-id.
void add_resource(std::vector<std::string>& args, const AclBinding& b) {
  switch (b.resource_type) {
    case AclResourceType::topic:
      args.insert(args.end(), {"--topic", b.resource_name});
      return;
    case AclResourceType::group:
      args.insert(args.end(), {"--group", b.resource_name});
      return;
    case AclResourceType::cluster:
      args.emplace_back("--cluster");
      return;
    case AclResourceType::transactional_id:
      args.insert(args.end(), {"--transactional-id", b.resource_name});
      return;
    case AclResourceType::any:
    case AclResourceType::unknown:
      break;
  }
  throw ClusterError("an ACL binding needs one known resource type, not ANY or UNKNOWN");
}

}  // namespace

std::vector<std::string> acl_command_arguments(const AclBinding& b, AclChange change) {
  using client::AclPatternType;
  using client::AclPermission;
  if (b.operation == client::AclOperation::any || b.permission == AclPermission::any ||
      b.pattern_type == AclPatternType::any || b.pattern_type == AclPatternType::match)
    throw ClusterError("an ACL binding names one operation, permission and pattern type: " +
                       client::to_string(b));
  std::vector<std::string> args{change == AclChange::add ? "--add" : "--remove"};
  if (change == AclChange::remove) args.emplace_back("--force");  // no interactive prompt
  bool allow = b.permission == AclPermission::allow;
  args.insert(args.end(), {allow ? "--allow-principal" : "--deny-principal", b.principal,
                           allow ? "--allow-host" : "--deny-host", b.host, "--operation",
                           std::string(client::name_of(b.operation)), "--resource-pattern-type",
                           b.pattern_type == AclPatternType::prefixed ? "prefixed" : "literal"});
  add_resource(args, b);
  return args;
}

void run_acl_command(const KafkaRuntime& runtime, const std::string& bootstrap,
                     const std::optional<std::filesystem::path>& command_config,
                     const AclBinding& binding, AclChange change) {
  std::vector<std::string> args{"--bootstrap-server", bootstrap};
  if (command_config) {
    args.push_back("--command-config");
    args.push_back(java_command_config(*command_config).string());  // librdkafka names in it
  }
  for (auto& a : acl_command_arguments(binding, change)) args.push_back(std::move(a));
  auto r = runtime.run_tool("org.apache.kafka.tools.AclCommand", args, scaled(60s));
  if (r.exit_code != 0) {
    // The tool's reason is its exception line, not the usage text around it.
    auto at = r.output.find("Exception: ");
    std::string why =
        at == std::string::npos ? "" : ": " + r.output.substr(at, r.output.find('\n', at) - at);
    throw ClusterError("kafka-acls failed to " +
                           std::string(change == AclChange::add ? "add " : "remove ") +
                           client::to_string(binding) + (r.timed_out ? " (timed out)" : "") + why,
                       r.output);
  }
}

}  // namespace klab::cluster
