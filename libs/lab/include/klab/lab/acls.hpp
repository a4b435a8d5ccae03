#pragma once
// ACLs as the CLI and the console change them: through librdkafka's ACL calls, except
// TRANSACTIONAL_ID bindings, which librdkafka 2.0.2 cannot send and Kafka's kafka-acls does.
#include <string>
#include <vector>

#include "klab/client/acl.hpp"
#include "klab/client/fwd.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"

namespace klab::lab {

/// Whether the cluster runs an authorizer, read from a broker's authorizer.class.name (a refusal
/// to show it counts as yes: something refused). DescribeAcls cannot tell: librdkafka drops its
/// SECURITY_DISABLED answer too. Errors: KafkaException for a cluster that does not answer.
bool has_authorizer(client::Admin& admin);

/// The bindings `filter` selects, sorted. Throws LabError: failed when the cluster has no
/// authorizer (start the lab with --secure), or KafkaException for a cluster that does not
/// answer.
std::vector<client::AclBinding> list_acls(const cluster::ClusterTarget& target,
                                          const client::AclBindingFilter& filter);

/// Adds every binding (one that exists is no error). Throws LabError: invalid_input for an
/// `any` field or an empty name, failed naming the binding and the broker's reason
/// (CLUSTER_AUTHORIZATION_FAILED: only a principal with ALTER on the cluster, such as the lab's
/// admin, may change ACLs).
void create_acls(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                 const std::vector<client::AclBinding>& acls);

/// Deletes the bindings `filter` selects and returns them. A TRANSACTIONAL_ID filter must name
/// one binding exactly (kafka-acls removes it; librdkafka 2.0.2 cannot select the type).
/// Throws LabError as create_acls(), and invalid_input for an inexact TRANSACTIONAL_ID filter.
std::vector<client::AclBinding> delete_acls(const cluster::LabPaths& paths,
                                            const cluster::ClusterTarget& target,
                                            const client::AclBindingFilter& filter);

/// The `klab acls create` command that would allow `binding`'s operation. Errors: none.
std::string acl_create_command(const client::AclBinding& binding);

}  // namespace klab::lab
