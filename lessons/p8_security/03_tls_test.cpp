// 8.2.3 Encryption (TLS) and mutual TLS: the client checks the broker's certificate (its CA,
// then its host name), and on the mTLS listener the broker checks the client's, whose CN becomes
// the principal the authorizer sees. Every refused client leaves 0 records on the topic.
#include <gtest/gtest.h>

#include <iostream>
#include <mutex>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"
#include "security_lesson.hpp"

// Named, not anonymous: the unity build compiles the lesson files as one.
namespace p8_tls {
using namespace std::chrono_literals;
using klab::client::AclBinding;
using klab::client::AclOperation;
using klab::client::AclPatternType;
using klab::client::AclPermission;
using klab::client::AclResourceType;
using klab::client::BrokerCertificateCheck;
using klab::client::Config;
using klab::cluster::scaled;
using klab::cluster::SecureListener;
using klab::lessons::ClientErrors;
using klab::lessons::produce_records;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int records = 20;
// OpenSSL's X509_V_ERR_* codes the lessons tell apart.
constexpr int x509_ok = 0;
constexpr int x509_self_signed_in_chain = 19;  // the chain ends in a CA the client does not trust
constexpr int x509_hostname_mismatch = 62;     // reached by name, the SAN lacks it
constexpr int x509_ip_address_mismatch = 64;   // reached by IP (the lab's 127.0.0.1), ditto

// Records every certificate check OpenSSL made, keeping its verdict (an observer).
class CertificateChecks {
 public:
  Config& attach(Config& config) {
    auto state = state_;
    return config.certificate_verifier([state](const BrokerCertificateCheck& c) {
      std::lock_guard lock(state->mu);
      state->checks.push_back(c);
      return c.x509_error == 0;
    });
  }
  std::vector<BrokerCertificateCheck> all() const {
    std::lock_guard lock(state_->mu);
    return state_->checks;
  }
  /// The first failed check, or a check with x509_error 0 when none failed.
  BrokerCertificateCheck first_failure() const {
    for (const auto& c : all())
      if (c.x509_error) return c;
    return {};
  }
  void print(const std::string& who) const {
    for (const auto& c : all())
      std::cout << who << ": depth " << c.depth << " X509 error " << c.x509_error << " ("
                << c.x509_error_text << ")\n";
  }

 private:
  struct State {
    std::mutex mu;
    std::vector<BrokerCertificateCheck> checks;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

std::string security_file(const std::string& name) {
  return (cluster().local().security().dir() / name).string();
}

TEST(P8Tls, TheLabCaVerifiesTheBrokerAndTheClientWritesOverTls) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-ok");
  klab::testing::create_topic(topic, 1, 1);
  auto config = cluster().client_config_as("admin", SecureListener::mtls);
  CertificateChecks checks;
  checks.attach(config);
  klab::lessons::expect_all_delivered(produce_records(config, topic, records), records);
  checks.print("lab CA");
  ASSERT_FALSE(checks.all().empty()) << "the broker's certificate was never checked";
  EXPECT_EQ(checks.first_failure().x509_error, x509_ok);
}

TEST(P8Tls, AClientTrustingAnotherCaRefusesTheBrokersChain) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-other-ca");
  klab::testing::create_topic(topic, 1, 1);
  auto config = cluster().client_config_as("admin", SecureListener::mtls);
  config.set("ssl.ca.location", security_file("untrusted-ca.pem"));
  CertificateChecks checks;
  ClientErrors errors;
  checks.attach(config);
  errors.attach(config);
  auto d = produce_records(config, topic, records);
  checks.print("another CA");
  klab::lessons::expect_none_delivered(d);
  // The broker sends its certificate and the lab CA; that CA is not in the client's trust store.
  auto failure = checks.first_failure();
  EXPECT_EQ(failure.x509_error, x509_self_signed_in_chain) << failure.x509_error_text;
  EXPECT_EQ(failure.depth, 1) << "the CA, not the broker's own certificate";
  EXPECT_TRUE(errors.saw(RD_KAFKA_RESP_ERR__SSL, "certificate verify failed")) << errors.summary();
}

// carol (PLAIN, lesson-only) on the SASL_SSL listener, whose certificate names kafka.invalid.
Config carol_over_tls() {
  auto config = cluster().client_config_as("alice", SecureListener::sasl_ssl);
  config.set("sasl.mechanisms", "PLAIN");
  config.set("sasl.username", klab::lessons::plain_user);
  config.set("sasl.password", klab::lessons::plain_password);
  return config;
}

TEST(P8Tls, ACertificateForAnotherHostFailsHostnameVerificationAndPassesOnlyWithItOff) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-hostname");
  klab::testing::create_topic(topic, 1, 1);
  AclBinding write{AclResourceType::topic,
                   topic,
                   AclPatternType::literal,
                   std::string("User:") + klab::lessons::plain_user,
                   "*",
                   AclOperation::write,
                   AclPermission::allow};
  klab::lessons::grant(write);

  auto checked = carol_over_tls();  // librdkafka >= 2.0 verifies the host name by default
  CertificateChecks checks;
  checks.attach(checked);
  auto refused = produce_records(checked, topic, records);
  checks.print("hostname check on");
  klab::lessons::expect_none_delivered(refused);
  auto failure = checks.first_failure();
  // The lab is reached by IP, so OpenSSL checks the SAN's IP entries and names it so.
  EXPECT_EQ(failure.x509_error, x509_ip_address_mismatch) << failure.x509_error_text;
  EXPECT_NE(failure.x509_error, x509_hostname_mismatch);

  // Reached by name instead, the same certificate fails the DNS check.
  auto by_name = carol_over_tls();
  auto address = by_name.get("bootstrap.servers").value();
  by_name.bootstrap_servers("localhost" + address.substr(address.find(':')));
  CertificateChecks name_checks;
  name_checks.attach(by_name);
  klab::lessons::expect_none_delivered(produce_records(by_name, topic, records));
  EXPECT_EQ(name_checks.first_failure().x509_error, x509_hostname_mismatch)
      << name_checks.first_failure().x509_error_text;
  EXPECT_EQ(failure.depth, 0) << "the broker's own certificate, not its CA";

  // The CA still vouches for the certificate, so only the host name check stood in the way.
  auto unchecked = carol_over_tls();
  unchecked.set("ssl.endpoint.identification.algorithm", "none");
  CertificateChecks no_hostname;
  no_hostname.attach(unchecked);
  klab::lessons::expect_all_delivered(produce_records(unchecked, topic, records), records);
  EXPECT_EQ(no_hostname.first_failure().x509_error, x509_ok);
  klab::lessons::revoke(write);
}

TEST(P8Tls, APlaintextClientOnTheTlsPortIsDisconnected) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-plaintext");
  klab::testing::create_topic(topic, 1, 1);
  auto tls = cluster().local().client_properties("admin", SecureListener::mtls);
  Config config;
  config.bootstrap_servers(tls.at("bootstrap.servers"));  // security.protocol stays plaintext
  ClientErrors errors;
  errors.attach(config);
  klab::lessons::expect_none_delivered(produce_records(config, topic, records));
  EXPECT_TRUE(errors.saw(RD_KAFKA_RESP_ERR__TRANSPORT, "SSL listener?")) << errors.summary();
}

TEST(P8Tls, TheMtlsPortRefusesAClientWithoutACertificate) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-no-cert");
  klab::testing::create_topic(topic, 1, 1);
  auto tls = cluster().local().client_properties("admin", SecureListener::mtls);
  Config config;
  config.bootstrap_servers(tls.at("bootstrap.servers"));
  config.set("security.protocol", "SSL");
  config.set("ssl.ca.location", tls.at("ssl.ca.location"));  // trusts the broker, shows no cert
  ClientErrors errors;
  errors.attach(config);
  klab::lessons::expect_none_delivered(produce_records(config, topic, records));
  std::cout << "no certificate: " << errors.summary();
  EXPECT_TRUE(errors.saw(RD_KAFKA_RESP_ERR__SSL) || errors.saw(RD_KAFKA_RESP_ERR__TRANSPORT))
      << errors.summary();
}

TEST(P8Tls, OnTheMtlsPortTheCertificateNameIsThePrincipalTheAclsDecideFor) {
  KLAB_ROADMAP("8.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("tls-principal");
  klab::testing::create_topic(topic, 1, 1);
  AclBinding write{AclResourceType::topic, topic, AclPatternType::literal,
                   "User:alice",           "*",   AclOperation::write,
                   AclPermission::allow};
  klab::lessons::grant(write);
  // CN=alice from the lab CA acts as User:alice: the ACL lets her write.
  klab::lessons::expect_all_delivered(
      produce_records(cluster().client_config_as("alice", SecureListener::mtls), topic, records),
      records);
  // bob's certificate is as valid, but User:bob has no ACL.
  auto bob =
      produce_records(cluster().client_config_as("bob", SecureListener::mtls), topic, records);
  klab::lessons::expect_none_delivered(bob);
  EXPECT_TRUE(bob.refused_with(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)) << bob.report.table();
  // A certificate saying CN=alice from a CA the broker does not trust is no alice at all.
  auto forged = cluster().client_config_as("alice", SecureListener::mtls);
  forged.set("ssl.certificate.location", security_file("forged-alice.cert.pem"));
  forged.set("ssl.key.location", security_file("forged-alice.key.pem"));
  ClientErrors errors;
  errors.attach(forged);
  klab::lessons::expect_none_delivered(produce_records(forged, topic, records));
  std::cout << "forged alice: " << errors.summary();
  EXPECT_TRUE(errors.saw(RD_KAFKA_RESP_ERR__SSL) || errors.saw(RD_KAFKA_RESP_ERR__TRANSPORT))
      << errors.summary();
  EXPECT_EQ(klab::lessons::records_on(topic), records) << "only the real alice wrote";
  klab::lessons::revoke(write);
}

}  // namespace p8_tls
