#pragma once
// Authentication and authorization failures said in one line: who was refused, what they
// asked for, and the command that would fix it.
#include <optional>
#include <string>

#include "klab/client/acl.hpp"
#include "klab/client/error.hpp"
#include "klab/cluster/target.hpp"

namespace klab::lab {

/// What a command asked the cluster for, as the authorizer sees it (resource_type `any`: not
/// known, the line then names no operation).
struct AccessRequest {
  client::AclOperation operation = client::AclOperation::describe;
  client::AclResourceType resource_type = client::AclResourceType::topic;
  std::string resource_name;
};

/// The principal a client with the target's settings acts as: "User:<sasl.username>", the CN
/// of ssl.certificate.location as "User:<CN>" (the lab's principal mapping), else
/// "User:ANONYMOUS". Errors: none ("User:?" when the certificate cannot be read).
std::string principal_of(const cluster::ClusterTarget& target);

/// One line for an authorization or authentication error, nullopt for any other error.
/// TOPIC / GROUP / CLUSTER / TRANSACTIONAL_ID_AUTHORIZATION_FAILED name `principal`, the
/// operation and the resource (the error code decides the resource type when it differs from
/// `request`: a consumer refused on its group is told about the group) and end with the
/// `klab acls create ...` that allows it. _AUTHENTICATION / _SSL name the principal and what to
/// check. `group` names the consumer group for GROUP_AUTHORIZATION_FAILED.
std::optional<std::string> explain_refusal(const Error& error, const std::string& principal,
                                           const AccessRequest& request,
                                           const std::string& group = "");

/// True for the error codes explain_refusal() explains. Errors: none.
bool is_access_refusal(const Error& error);

}  // namespace klab::lab
