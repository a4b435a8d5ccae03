#include "klab/client/acl.hpp"

#include <array>
#include <cctype>
#include <cstddef>

namespace klab::client {
namespace {

// Kafka's names, in enum order.
constexpr std::array resource_names{"ANY",    "TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID",
                                    "UNKNOWN"};
constexpr std::array pattern_names{"ANY", "MATCH", "LITERAL", "PREFIXED"};
constexpr std::array operation_names{"ANY",
                                     "ALL",
                                     "READ",
                                     "WRITE",
                                     "CREATE",
                                     "DELETE",
                                     "ALTER",
                                     "DESCRIBE",
                                     "CLUSTER_ACTION",
                                     "DESCRIBE_CONFIGS",
                                     "ALTER_CONFIGS",
                                     "IDEMPOTENT_WRITE"};
constexpr std::array permission_names{"ANY", "DENY", "ALLOW"};

// "Transactional-Id", "transactionalid" and "TRANSACTIONAL_ID" all become "TRANSACTIONALID".
std::string folded(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '-' && c != '_') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse(const std::array<const char*, N>& names, std::string_view text) {
  auto want = folded(text);
  if (want.empty()) return std::nullopt;
  for (std::size_t i = 0; i < N; ++i)
    if (folded(names[i]) == want) return static_cast<Enum>(i);
  return std::nullopt;
}

template <std::size_t N>
std::vector<std::string> choices(const std::array<const char*, N>& names, bool with_any) {
  std::vector<std::string> out;
  for (std::size_t i = with_any ? 0 : 1; i < N; ++i) {
    std::string s;
    for (const char* p = names[i]; *p; ++p)
      s += *p == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
    out.push_back(s);
  }
  return out;
}

}  // namespace

AclBindingFilter AclBindingFilter::exactly(const AclBinding& b) {
  return {b.resource_type, b.resource_name, b.pattern_type, b.principal,
          b.host,          b.operation,     b.permission};
}

std::string_view name_of(AclResourceType t) { return resource_names[static_cast<std::size_t>(t)]; }
std::string_view name_of(AclPatternType t) { return pattern_names[static_cast<std::size_t>(t)]; }
std::string_view name_of(AclOperation o) { return operation_names[static_cast<std::size_t>(o)]; }
std::string_view name_of(AclPermission p) { return permission_names[static_cast<std::size_t>(p)]; }

std::optional<AclResourceType> parse_acl_resource_type(std::string_view text) {
  return parse<AclResourceType>(resource_names, text);
}
std::optional<AclPatternType> parse_acl_pattern_type(std::string_view text) {
  return parse<AclPatternType>(pattern_names, text);
}
std::optional<AclOperation> parse_acl_operation(std::string_view text) {
  return parse<AclOperation>(operation_names, text);
}
std::optional<AclPermission> parse_acl_permission(std::string_view text) {
  return parse<AclPermission>(permission_names, text);
}

std::vector<std::string> acl_resource_type_choices() {
  auto out = choices(resource_names, false);
  out.pop_back();  // "unknown" is never asked for
  return out;
}
std::vector<std::string> acl_pattern_type_choices() { return choices(pattern_names, false); }
std::vector<std::string> acl_operation_choices() { return choices(operation_names, false); }
std::vector<std::string> acl_permission_choices() { return choices(permission_names, false); }

std::string to_string(const AclBinding& b) {
  return b.principal + " from " + b.host + " " + std::string(name_of(b.permission)) + " " +
         std::string(name_of(b.operation)) + " on " + std::string(name_of(b.resource_type)) + " " +
         b.resource_name + " (" + std::string(name_of(b.pattern_type)) + ")";
}

}  // namespace klab::client
