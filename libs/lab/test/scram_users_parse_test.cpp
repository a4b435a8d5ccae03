// kafka-configs' SCRAM credential lines, as Kafka 4 prints them.
#include <gtest/gtest.h>

#include "klab/lab/scram_users.hpp"

namespace klab::lab {
namespace {

TEST(ScramUsersParse, EveryCredentialLineBecomesAUserWithItsMechanisms) {
  auto users = parse_scram_users(
      "SCRAM credential configs for user-principal 'bob' are SCRAM-SHA-512=iterations=4096\n"
      "Quota configs for user-principal 'bob' are producer_byte_rate=1024.0\n"
      "SCRAM credential configs for user-principal 'alice' are "
      "SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096\n");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "alice");
  EXPECT_EQ(users[0].mechanisms, (std::vector<std::string>{"SCRAM-SHA-256 iterations=8192",
                                                           "SCRAM-SHA-512 iterations=4096"}));
  EXPECT_EQ(users[1].name, "bob");
}

TEST(ScramUsersParse, OutputWithoutCredentialsHasNoUsers) {
  EXPECT_TRUE(parse_scram_users("").empty());
  EXPECT_TRUE(parse_scram_users("Quota configs for user-principal 'x' are a=1\n").empty());
}

}  // namespace
}  // namespace klab::lab
