// ACL names and parsing: the spellings kafka-acls and the CLI accept map to one value each.
#include "klab/client/acl.hpp"

#include <gtest/gtest.h>

namespace klab::client {
namespace {

TEST(AclNames, ParsingAcceptsKafkaAndCliSpellingsAlike) {
  EXPECT_EQ(parse_acl_resource_type("transactional-id"), AclResourceType::transactional_id);
  EXPECT_EQ(parse_acl_resource_type("TRANSACTIONAL_ID"), AclResourceType::transactional_id);
  EXPECT_EQ(parse_acl_resource_type("TransactionalId"), AclResourceType::transactional_id);
  EXPECT_EQ(parse_acl_operation("idempotent-write"), AclOperation::idempotent_write);
  EXPECT_EQ(parse_acl_operation("IdempotentWrite"), AclOperation::idempotent_write);
  EXPECT_EQ(parse_acl_operation("delete"), AclOperation::delete_);
  EXPECT_EQ(parse_acl_pattern_type("Prefixed"), AclPatternType::prefixed);
  EXPECT_EQ(parse_acl_permission("deny"), AclPermission::deny);
}

TEST(AclNames, UnknownNamesAreRefused) {
  EXPECT_FALSE(parse_acl_resource_type("broker"));
  EXPECT_FALSE(parse_acl_operation("writes"));
  EXPECT_FALSE(parse_acl_permission("maybe"));
  EXPECT_FALSE(parse_acl_pattern_type(""));
}

TEST(AclNames, EveryChoiceParsesBackAndNamesRoundTrip) {
  for (const auto& c : acl_operation_choices()) {
    auto op = parse_acl_operation(c);
    ASSERT_TRUE(op) << c;
    EXPECT_EQ(parse_acl_operation(name_of(*op)), op);
  }
  EXPECT_EQ(acl_resource_type_choices(),
            (std::vector<std::string>{"topic", "group", "cluster", "transactional-id"}));
  // Filters take "any"; a binding's choices do not offer it.
  EXPECT_EQ(acl_permission_choices(), (std::vector<std::string>{"deny", "allow"}));
}

TEST(AclNames, ABindingReadsAsOneLine) {
  AclBinding b{AclResourceType::topic, "orders", AclPatternType::prefixed,
               "User:alice",           "*",      AclOperation::write,
               AclPermission::allow};
  EXPECT_EQ(to_string(b), "User:alice from * ALLOW WRITE on TOPIC orders (PREFIXED)");
  auto f = AclBindingFilter::exactly(b);
  EXPECT_EQ(f.principal, "User:alice");
  EXPECT_EQ(f.pattern_type, AclPatternType::prefixed);
}

}  // namespace
}  // namespace klab::client
