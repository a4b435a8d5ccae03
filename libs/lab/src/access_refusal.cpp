#include "klab/lab/access_refusal.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>

#include "klab/client/config.hpp"
#include "klab/lab/acls.hpp"

namespace klab::lab {
namespace {
using client::AclOperation;
using client::AclResourceType;

// The certificate's CN, as the lab's ssl.principal.mapping.rules turn it into the principal.
std::string common_name(const std::string& pem_file) {
  std::FILE* f = std::fopen(pem_file.c_str(), "r");
  if (!f) return "";
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert) return "";
  char cn[256] = "";
  int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  return n > 0 ? std::string(cn, static_cast<std::size_t>(n)) : "";
}

}  // namespace

std::string principal_of(const cluster::ClusterTarget& target) {
  if (!target.properties_file) return "User:ANONYMOUS";
  client::Config props;
  try {
    props = client::Config::from_properties_file(*target.properties_file);
  } catch (const KafkaException&) {
    return "User:?";  // the command itself reports the unreadable file
  }
  if (auto user = props.get("sasl.username")) return "User:" + *user;
  if (auto cert = props.get("ssl.certificate.location")) {
    auto cn = common_name(*cert);
    return cn.empty() ? "User:?" : "User:" + cn;
  }
  return "User:ANONYMOUS";
}

bool is_access_refusal(const Error& e) {
  switch (e.code()) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__SSL:
      return true;
    default:
      return false;
  }
}

std::optional<std::string> explain_refusal(const Error& error, const std::string& principal,
                                           const AccessRequest& request, const std::string& group) {
  client::AclBinding needed{request.resource_type,
                            request.resource_name,
                            client::AclPatternType::literal,
                            principal,
                            "*",
                            request.operation,
                            client::AclPermission::allow};
  auto on = [&](AclResourceType type, std::string name, AclOperation fallback) {
    if (needed.resource_type != type) {
      needed.resource_type = type;
      needed.resource_name = std::move(name);
      needed.operation = fallback;
    }
  };
  bool unknown_request = request.resource_type == AclResourceType::any;
  switch (error.code()) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      on(AclResourceType::topic, request.resource_name, AclOperation::describe);
      break;
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
      on(AclResourceType::group, group, AclOperation::read);
      break;
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
      on(AclResourceType::cluster, "kafka-cluster", request.operation);
      break;
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      on(AclResourceType::transactional_id, request.resource_name, AclOperation::write);
      break;
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
      return principal + " could not log in (" + error.to_string() +
             "): check sasl.username and sasl.password in $KLAB_CLIENT_PROPERTIES (`klab users "
             "list` as the admin shows who exists); with the right password, librdkafka < 2.6.1 "
             "still fails SCRAM against Kafka 4 (it repeats its nonce): use the user's "
             "-mtls.properties file instead";
    case RD_KAFKA_RESP_ERR__SSL:
      return "the TLS handshake failed for " + principal + " (" + error.to_string() +
             "): check ssl.ca.location (the lab's CA is .klab/security/ca.pem) and, on the mTLS "
             "port, ssl.certificate.location and ssl.key.location";
    default:
      return std::nullopt;
  }
  if (unknown_request || needed.resource_name.empty())
    return principal + " was refused (" + error.to_string() +
           "): `klab acls list` as the admin shows what it may do, and `klab acls create` "
           "allows more";
  std::string resource =
      std::string(client::name_of(needed.resource_type)) + " " + needed.resource_name;
  if (needed.resource_type == AclResourceType::cluster) resource = "the CLUSTER";
  return principal + " may not " + std::string(client::name_of(needed.operation)) + " " + resource +
         " (" + std::string(error.name()) +
         "); an admin can allow it with: " + acl_create_command(needed);
}

}  // namespace klab::lab
