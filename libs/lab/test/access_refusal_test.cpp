// Refusals in one line: the principal, the operation, the resource and the fix.
#include "klab/lab/access_refusal.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "klab/lab/acls.hpp"

namespace klab::lab {
namespace {
using client::AclOperation;
using client::AclResourceType;

TEST(AccessRefusal, ATopicRefusalNamesPrincipalOperationTopicAndTheCommandThatAllowsIt) {
  auto line = explain_refusal(Error(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), "User:alice",
                              {AclOperation::write, AclResourceType::topic, "orders"});
  ASSERT_TRUE(line);
  EXPECT_EQ(*line,
            "User:alice may not WRITE TOPIC orders (TOPIC_AUTHORIZATION_FAILED); an admin can "
            "allow it with: klab acls create --principal User:alice --operation write "
            "--resource-type topic --resource orders");
  EXPECT_EQ(line->find('\n'), std::string::npos);
}

TEST(AccessRefusal, AGroupRefusalOfAConsumerNamesTheGroupNotTheTopic) {
  auto line = explain_refusal(Error(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED), "User:alice",
                              {AclOperation::read, AclResourceType::topic, "orders"}, "billing");
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("may not READ GROUP billing"), std::string::npos) << *line;
  EXPECT_NE(line->find("--resource-type group --resource billing"), std::string::npos) << *line;
}

TEST(AccessRefusal, AClusterRefusalAsksForTheClusterResource) {
  auto line = explain_refusal(Error(RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED), "User:bob",
                              {AclOperation::alter, AclResourceType::cluster, "kafka-cluster"});
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("User:bob may not ALTER the CLUSTER"), std::string::npos) << *line;
  EXPECT_NE(line->find("--operation alter --resource-type cluster"), std::string::npos) << *line;
}

TEST(AccessRefusal, AnAuthenticationFailureSaysWhatToCheckAndOtherErrorsAreNotExplained) {
  auto line = explain_refusal(Error(RD_KAFKA_RESP_ERR__AUTHENTICATION, "invalid credentials"),
                              "User:alice", {});
  ASSERT_TRUE(line);
  EXPECT_NE(line->find("User:alice could not log in"), std::string::npos) << *line;
  EXPECT_NE(line->find("sasl.password"), std::string::npos) << *line;
  EXPECT_FALSE(explain_refusal(Error(RD_KAFKA_RESP_ERR__TIMED_OUT), "User:alice", {}));
  EXPECT_FALSE(is_access_refusal(Error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)));
}

TEST(AccessRefusal, ThePrincipalComesFromTheSaslUserOrIsAnonymousWithoutProperties) {
  cluster::ClusterTarget plain{"127.0.0.1:9092", std::nullopt, false};
  EXPECT_EQ(principal_of(plain), "User:ANONYMOUS");
  auto file = std::filesystem::temp_directory_path() / "klab-principal-test.properties";
  std::ofstream(file) << "security.protocol=SASL_SSL\nsasl.username = dave\n";
  cluster::ClusterTarget sasl{"127.0.0.1:9102", file, true};
  EXPECT_EQ(principal_of(sasl), "User:dave");
  std::filesystem::remove(file);
}

TEST(AclCreateCommand, PrefixedDenyAndHostAreSpelledAsFlags) {
  client::AclBinding b{AclResourceType::transactional_id,
                       "tx-",
                       client::AclPatternType::prefixed,
                       "User:alice",
                       "10.0.0.1",
                       AclOperation::write,
                       client::AclPermission::deny};
  EXPECT_EQ(acl_create_command(b),
            "klab acls create --principal User:alice --operation write --resource-type "
            "transactional-id --resource tx- --pattern prefixed --permission deny --host "
            "10.0.0.1");
}

}  // namespace
}  // namespace klab::lab
