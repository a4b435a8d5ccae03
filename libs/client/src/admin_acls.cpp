#include "admin_acls.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

#include "admin_request.hpp"
#include "klab/client/version.hpp"

namespace klab::client::detail {
namespace {

using AclBindingPtr = std::unique_ptr<rd_kafka_AclBinding_t, Deleter<rd_kafka_AclBinding_destroy>>;

// Kafka's wire code of the TRANSACTIONAL_ID resource type; librdkafka names it from 2.6.0 on.
constexpr int transactional_id_code = 5;
constexpr bool names_transactional_id = KLAB_RDKAFKA_AT_LEAST(2, 6, 0);

rd_kafka_ResourceType_t native_of(AclResourceType t) {
  switch (t) {
    case AclResourceType::any:
      return RD_KAFKA_RESOURCE_ANY;
    case AclResourceType::topic:
      return RD_KAFKA_RESOURCE_TOPIC;
    case AclResourceType::group:
      return RD_KAFKA_RESOURCE_GROUP;
    // librdkafka calls Kafka's CLUSTER resource (code 4) BROKER.
    case AclResourceType::cluster:
      return RD_KAFKA_RESOURCE_BROKER;
    case AclResourceType::unknown:
      throw KafkaException(
          Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "UNKNOWN is no resource type to ask for"));
    case AclResourceType::transactional_id:
      if (!names_transactional_id)
        throw KafkaException(Error(
            RD_KAFKA_RESP_ERR__INVALID_ARG,
            "librdkafka " + std::string(rd_kafka_version_str()) +
                " cannot send an ACL on a TRANSACTIONAL_ID resource (librdkafka 2.6.0 added it); "
                "use Kafka's kafka-acls tool for this one"));
      return static_cast<rd_kafka_ResourceType_t>(transactional_id_code);
  }
  return RD_KAFKA_RESOURCE_UNKNOWN;
}

AclResourceType resource_of(rd_kafka_ResourceType_t t) {
  switch (static_cast<int>(t)) {
    case RD_KAFKA_RESOURCE_TOPIC:
      return AclResourceType::topic;
    case RD_KAFKA_RESOURCE_GROUP:
      return AclResourceType::group;
    case RD_KAFKA_RESOURCE_BROKER:
      return AclResourceType::cluster;
    case transactional_id_code:
      return AclResourceType::transactional_id;
    // librdkafka < 2.6.0 turns a TRANSACTIONAL_ID in an answer into UNKNOWN (with a warning).
    default:
      return AclResourceType::unknown;
  }
}

// The enums of acl.hpp follow librdkafka's order, offset by its UNKNOWN = 0.
rd_kafka_ResourcePatternType_t native_of(AclPatternType t) {
  return static_cast<rd_kafka_ResourcePatternType_t>(static_cast<int>(t) + 1);
}
rd_kafka_AclOperation_t native_of(AclOperation o) {
  return static_cast<rd_kafka_AclOperation_t>(static_cast<int>(o) + 1);
}
rd_kafka_AclPermissionType_t native_of(AclPermission p) {
  return static_cast<rd_kafka_AclPermissionType_t>(static_cast<int>(p) + 1);
}

AclBinding binding_of(const rd_kafka_AclBinding_t* acl) {
  auto str = [](const char* s) { return s ? std::string(s) : std::string(); };
  AclBinding b;
  b.resource_type = resource_of(rd_kafka_AclBinding_restype(acl));
  b.resource_name = str(rd_kafka_AclBinding_name(acl));
  b.pattern_type = static_cast<AclPatternType>(
      std::max(0, static_cast<int>(rd_kafka_AclBinding_resource_pattern_type(acl)) - 1));
  b.principal = str(rd_kafka_AclBinding_principal(acl));
  b.host = str(rd_kafka_AclBinding_host(acl));
  b.operation = static_cast<AclOperation>(
      std::max(0, static_cast<int>(rd_kafka_AclBinding_operation(acl)) - 1));
  b.permission = static_cast<AclPermission>(
      std::max(0, static_cast<int>(rd_kafka_AclBinding_permission_type(acl)) - 1));
  return b;
}

void sort(std::vector<AclBinding>& acls) {
  auto key = [](const AclBinding& b) {
    return std::tie(b.resource_type, b.resource_name, b.pattern_type, b.principal, b.host,
                    b.operation, b.permission);
  };
  std::sort(acls.begin(), acls.end(),
            [&](const auto& a, const auto& b) { return key(a) < key(b); });
}

AclBindingPtr native_binding(const AclBinding& b) {
  char reason[256] = "";
  AclBindingPtr acl(rd_kafka_AclBinding_new(native_of(b.resource_type), b.resource_name.c_str(),
                                            native_of(b.pattern_type), b.principal.c_str(),
                                            b.host.c_str(), native_of(b.operation),
                                            native_of(b.permission), reason, sizeof reason));
  if (!acl)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               std::string(reason) + " in ACL binding " + to_string(b)));
  return acl;
}

AclBindingPtr native_filter(const AclBindingFilter& f) {
  auto opt = [](const std::optional<std::string>& s) { return s ? s->c_str() : nullptr; };
  char reason[256] = "";
  AclBindingPtr acl(rd_kafka_AclBindingFilter_new(
      native_of(f.resource_type), opt(f.resource_name), native_of(f.pattern_type), opt(f.principal),
      opt(f.host), native_of(f.operation), native_of(f.permission), reason, sizeof reason));
  if (!acl)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG, std::string(reason) + " in ACL filter"));
  return acl;
}

}  // namespace

std::vector<Error> create_acls(rd_kafka_t* rk, const std::vector<AclBinding>& acls,
                               std::chrono::milliseconds timeout) {
  std::vector<AclBindingPtr> owned;
  std::vector<rd_kafka_AclBinding_t*> raw;
  for (const auto& b : acls) {
    owned.push_back(native_binding(b));
    raw.push_back(owned.back().get());
  }
  auto ev = run_admin_op(rk, RD_KAFKA_ADMIN_OP_CREATEACLS, timeout, false, "create ACLs",
                         [&](auto* options, auto* queue) {
                           rd_kafka_CreateAcls(rk, raw.data(), raw.size(), options, queue);
                         });
  size_t count = 0;
  auto results =
      rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev.get()), &count);
  std::vector<Error> out;
  for (size_t i = 0; i < count; ++i)
    out.push_back(Error::copy_of(rd_kafka_acl_result_error(results[i])));
  return out;
}

std::vector<AclBinding> describe_acls(rd_kafka_t* rk, const AclBindingFilter& filter,
                                      std::chrono::milliseconds timeout) {
  auto native = native_filter(filter);
  auto ev = run_admin_op(
      rk, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, timeout, false, "describe ACLs",
      [&](auto* options, auto* queue) { rd_kafka_DescribeAcls(rk, native.get(), options, queue); });
  size_t count = 0;
  auto acls =
      rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev.get()), &count);
  std::vector<AclBinding> out;
  for (size_t i = 0; i < count; ++i) out.push_back(binding_of(acls[i]));
  sort(out);
  return out;
}

std::vector<AclBinding> delete_acls(rd_kafka_t* rk, const AclBindingFilter& filter,
                                    std::chrono::milliseconds timeout) {
  auto native = native_filter(filter);
  rd_kafka_AclBindingFilter_t* raw = native.get();
  auto ev = run_admin_op(
      rk, RD_KAFKA_ADMIN_OP_DELETEACLS, timeout, false, "delete ACLs",
      [&](auto* options, auto* queue) { rd_kafka_DeleteAcls(rk, &raw, 1, options, queue); });
  size_t count = 0;
  auto responses =
      rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(ev.get()), &count);
  std::vector<AclBinding> out;
  for (size_t i = 0; i < count; ++i) {
    if (auto err = Error::copy_of(rd_kafka_DeleteAcls_result_response_error(responses[i])))
      throw KafkaException(err, "delete ACLs");
    size_t n = 0;
    auto matching = rd_kafka_DeleteAcls_result_response_matching_acls(responses[i], &n);
    for (size_t j = 0; j < n; ++j) out.push_back(binding_of(matching[j]));
  }
  sort(out);
  return out;
}

}  // namespace klab::client::detail
