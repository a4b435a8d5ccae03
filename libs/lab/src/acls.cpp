#include "klab/lab/acls.hpp"

#include <cctype>

#include "klab/client/admin.hpp"
#include "klab/client/version.hpp"
#include "klab/cluster/acl_command.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/lab/access_refusal.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {
using namespace std::chrono_literals;
using client::AclBinding;
using client::AclResourceType;

// "TRANSACTIONAL_ID" -> "transactional-id", as the CLI's flags take it.
std::string flag_value(std::string_view name) {
  std::string out;
  for (char c : name)
    out += c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool through_kafka_tool(AclResourceType type) {
  return type == AclResourceType::transactional_id && !KLAB_RDKAFKA_AT_LEAST(2, 6, 0);
}

[[noreturn]] void fail(const cluster::ClusterTarget& target, const Error& error,
                       const std::string& what) {
  if (error.code() == RD_KAFKA_RESP_ERR_SECURITY_DISABLED)
    throw LabError(LabError::Kind::failed,
                   what +
                       ": the cluster has no authorizer, so it keeps no ACLs (start the lab "
                       "with `klab up --secure`)");
  if (auto line =
          explain_refusal(error, principal_of(target),
                          {client::AclOperation::alter, AclResourceType::cluster, "kafka-cluster"}))
    throw LabError(LabError::Kind::failed,
                   what + ": " + *line + " (changing ACLs needs ALTER on the cluster)");
  throw LabError(LabError::Kind::failed, what + ": " + error.to_string());
}

void check_complete(const AclBinding& b) {
  using client::AclOperation;
  using client::AclPatternType;
  using client::AclPermission;
  if (b.resource_type == AclResourceType::any || b.resource_type == AclResourceType::unknown ||
      b.operation == AclOperation::any || b.permission == AclPermission::any ||
      b.pattern_type == AclPatternType::any || b.pattern_type == AclPatternType::match)
    throw LabError(LabError::Kind::invalid_input,
                   "an ACL to create names one resource type, operation, permission and "
                   "literal/prefixed pattern: " +
                       client::to_string(b));
  if (b.resource_name.empty() || b.principal.empty())
    throw LabError(LabError::Kind::invalid_input,
                   "an ACL to create needs a resource name and a principal such as User:alice");
  if (b.principal.find(':') == std::string::npos)
    throw LabError(LabError::Kind::invalid_input,
                   "principal '" + b.principal + "' needs its type: User:" + b.principal);
}

void run_kafka_acls(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                    const AclBinding& b, cluster::AclChange change) {
  try {
    cluster::run_acl_command(cluster::KafkaRuntime::locate(paths), target.bootstrap,
                             target.properties_file, b, change);
  } catch (const cluster::ClusterError& e) {
    throw LabError(LabError::Kind::failed, e.what());  // it names the tool's reason
  }
}

}  // namespace

bool has_authorizer(client::Admin& admin) {
  auto brokers = admin.describe_cluster(10s).brokers;
  if (brokers.empty()) return false;
  try {
    for (const auto& c : admin.describe_broker_config(brokers.front().id, 10s))
      if (c.name == "authorizer.class.name") return c.value && !c.value->empty();
  } catch (const KafkaException& e) {
    if (e.error().code() == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED) return true;
    throw;
  }
  return false;
}

std::vector<AclBinding> list_acls(const cluster::ClusterTarget& target,
                                  const client::AclBindingFilter& filter) {
  client::Admin admin(cluster::client_config(target));
  if (!has_authorizer(admin))
    throw LabError(LabError::Kind::failed,
                   "the cluster has no authorizer, so it keeps no ACLs: start the lab with `klab "
                   "up --secure` (or set authorizer.class.name on your brokers)");
  try {
    return admin.describe_acls(filter, 10s);
  } catch (const KafkaException& e) {
    fail(target, e.error(), "listing ACLs");
  }
}

void create_acls(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                 const std::vector<AclBinding>& acls) {
  std::vector<AclBinding> direct;
  for (const auto& b : acls) {
    check_complete(b);
    if (through_kafka_tool(b.resource_type))
      run_kafka_acls(paths, target, b, cluster::AclChange::add);
    else
      direct.push_back(b);
  }
  if (direct.empty()) return;
  client::Admin admin(cluster::client_config(target));
  std::vector<Error> errors;
  try {
    errors = admin.create_acls(direct, 10s);
  } catch (const KafkaException& e) {
    fail(target, e.error(), "creating ACLs");
  }
  for (std::size_t i = 0; i < errors.size() && i < direct.size(); ++i)
    if (errors[i]) fail(target, errors[i], "creating " + client::to_string(direct[i]));
}

std::vector<AclBinding> delete_acls(const cluster::LabPaths& paths,
                                    const cluster::ClusterTarget& target,
                                    const client::AclBindingFilter& filter) {
  if (through_kafka_tool(filter.resource_type)) {
    // As `acls create` defaults them: literal, allow, every host.
    AclBinding exact{filter.resource_type,
                     filter.resource_name.value_or(""),
                     filter.pattern_type == client::AclPatternType::any
                         ? client::AclPatternType::literal
                         : filter.pattern_type,
                     filter.principal.value_or(""),
                     filter.host.value_or("*"),
                     filter.operation,
                     filter.permission == client::AclPermission::any ? client::AclPermission::allow
                                                                     : filter.permission};
    if (exact.resource_name.empty() || exact.principal.empty() ||
        exact.operation == client::AclOperation::any)
      throw LabError(LabError::Kind::invalid_input,
                     "deleting a TRANSACTIONAL_ID ACL goes through kafka-acls (librdkafka "
                     "2.0.2 cannot select the type), so name it exactly: --principal, "
                     "--operation and --resource (and --pattern, --permission, --host unless "
                     "literal, allow, *)");
    check_complete(exact);
    run_kafka_acls(paths, target, exact, cluster::AclChange::remove);
    return {exact};
  }
  client::Admin admin(cluster::client_config(target));
  try {
    return admin.delete_acls(filter, 10s);
  } catch (const KafkaException& e) {
    fail(target, e.error(), "deleting ACLs");
  }
}

std::string acl_create_command(const AclBinding& b) {
  std::string cmd = "klab acls create --principal " + b.principal + " --operation " +
                    flag_value(client::name_of(b.operation)) + " --resource-type " +
                    flag_value(client::name_of(b.resource_type));
  if (b.resource_type != AclResourceType::cluster) cmd += " --resource " + b.resource_name;
  if (b.pattern_type == client::AclPatternType::prefixed) cmd += " --pattern prefixed";
  if (b.permission == client::AclPermission::deny) cmd += " --permission deny";
  if (b.host != "*") cmd += " --host " + b.host;
  return cmd;
}

}  // namespace klab::lab
