#pragma once
// ACL bindings as Kafka's authorizer stores them: who (principal, host) may or may not do what
// (operation) to which resource (type, name, pattern). Names match kafka-acls and the Java
// AdminClient (`TOPIC`, `PREFIXED`, `IDEMPOTENT_WRITE` ...), so a learner can cross-reference.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace klab::client {

enum class AclResourceType {
  any,  ///< filters only
  topic,
  group,
  cluster,
  transactional_id,
  /// In answers only: a type this librdkafka cannot name. Before librdkafka 2.6.0 that is every
  /// TRANSACTIONAL_ID binding (and DELEGATION_TOKEN / USER ones).
  unknown,
};
enum class AclPatternType {
  any,       ///< filters only: literal and prefixed bindings alike
  match,     ///< filters only: every binding that applies to the name (literal, prefixed, '*')
  literal,   ///< exactly this name ("*" means every resource of the type)
  prefixed,  ///< every resource whose name starts with this
};
enum class AclOperation {
  any,  ///< filters only
  all,
  read,
  write,
  create,
  delete_,
  alter,
  describe,
  cluster_action,
  describe_configs,
  alter_configs,
  idempotent_write,
};
enum class AclPermission { any, deny, allow };

/// One rule. A DENY that matches beats every ALLOW.
struct AclBinding {
  AclResourceType resource_type = AclResourceType::topic;
  std::string resource_name;  ///< "kafka-cluster" for the cluster resource
  AclPatternType pattern_type = AclPatternType::literal;
  std::string principal;  ///< "User:alice"; "User:*" is everyone
  std::string host = "*";
  AclOperation operation = AclOperation::all;
  AclPermission permission = AclPermission::allow;

  friend bool operator==(const AclBinding&, const AclBinding&) = default;
};

/// Which bindings describe_acls() / delete_acls() select: nullopt and `any` match everything.
struct AclBindingFilter {
  AclResourceType resource_type = AclResourceType::any;
  std::optional<std::string> resource_name;
  AclPatternType pattern_type = AclPatternType::any;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  AclOperation operation = AclOperation::any;
  AclPermission permission = AclPermission::any;

  /// Selects exactly `binding` (for deleting one rule).
  static AclBindingFilter exactly(const AclBinding& binding);
};

/// Kafka's spelling: "TOPIC", "TRANSACTIONAL_ID", "PREFIXED", "IDEMPOTENT_WRITE", "ALLOW" ...
std::string_view name_of(AclResourceType type);
std::string_view name_of(AclPatternType type);
std::string_view name_of(AclOperation operation);
std::string_view name_of(AclPermission permission);

/// Parses a name as kafka-acls and the CLI take it: any case, '-' or '_' ("transactional-id",
/// "IdempotentWrite" and "IDEMPOTENT_WRITE" are one operation). nullopt when unknown.
std::optional<AclResourceType> parse_acl_resource_type(std::string_view text);
std::optional<AclPatternType> parse_acl_pattern_type(std::string_view text);
std::optional<AclOperation> parse_acl_operation(std::string_view text);
std::optional<AclPermission> parse_acl_permission(std::string_view text);

/// The choices a parser above accepts, lower case with '-', for help texts and error messages.
std::vector<std::string> acl_resource_type_choices();
std::vector<std::string> acl_pattern_type_choices();
std::vector<std::string> acl_operation_choices();
std::vector<std::string> acl_permission_choices();

/// "User:alice from * ALLOW WRITE on TOPIC orders (LITERAL)". Errors: none.
std::string to_string(const AclBinding& binding);

}  // namespace klab::client
