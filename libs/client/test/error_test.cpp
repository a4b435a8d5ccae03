// Error: names and messages from librdkafka, the retriable/fatal flags, std::error_code.
#include "klab/client/error.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <system_error>

#include "klab/client/version.hpp"

namespace {
using klab::Error;
using testing::HasSubstr;

TEST(ClientError, DefaultErrorMeansSuccess) {
  Error e;
  EXPECT_TRUE(e.ok());
  EXPECT_FALSE(e);
  EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(e.name(), "NO_ERROR");
}

TEST(ClientError, BrokerCodeHasKafkasNameAndMessage) {
  Error e(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
  EXPECT_TRUE(e);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.name(), "NOT_ENOUGH_REPLICAS");
  EXPECT_EQ(e.message(), "Broker: Not enough in-sync replicas");
  EXPECT_EQ(e.to_string(), "NOT_ENOUGH_REPLICAS (Broker: Not enough in-sync replicas)");
  EXPECT_TRUE(e.retriable());
  EXPECT_FALSE(e.fatal());
  EXPECT_FALSE(e.txn_requires_abort());
}

TEST(ClientError, NonRetriableAndLocalCodes) {
  EXPECT_FALSE(Error(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS).retriable());
  EXPECT_FALSE(Error(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR).retriable());
  EXPECT_TRUE(Error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT).retriable());
  EXPECT_EQ(Error(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT).name(), "_MSG_TIMED_OUT");
  EXPECT_TRUE(Error(RD_KAFKA_RESP_ERR__FATAL).fatal());
}

TEST(ClientError, CustomMessageReplacesTheDefault) {
  Error e(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, "Replication factor: 5 larger than 3");
  EXPECT_EQ(e.to_string(), "INVALID_REPLICATION_FACTOR (Replication factor: 5 larger than 3)");
  EXPECT_EQ(e, Error(RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR)) << "equality is by code";
  EXPECT_EQ(e, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
}

TEST(ClientError, AdoptTakesTheRdKafkaErrorAndItsMessage) {
  // adopt() destroys the object: the leak checker would flag it otherwise.
  auto e = Error::adopt(rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "wrong state %d", 7));
  EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR__STATE);
  EXPECT_EQ(e.message(), "wrong state 7");
  EXPECT_TRUE(Error::adopt(nullptr).ok());
}

TEST(ClientError, ConvertsToStdErrorCodeInTheKafkaCategory) {
  Error e(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  std::error_code ec = e;
  EXPECT_EQ(ec.value(), RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  EXPECT_STREQ(ec.category().name(), "kafka");
  EXPECT_EQ(ec.message(), "Broker: Unknown topic or partition");
  EXPECT_FALSE(std::error_code(Error()));
}

TEST(ClientError, KafkaExceptionCarriesTheErrorAndWhereItWasThrown) {
  try {
    throw klab::KafkaException(Error(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS), "create topic 't'");
  } catch (const klab::KafkaException& e) {
    EXPECT_THAT(e.what(), HasSubstr("create topic 't'"));
    EXPECT_THAT(e.what(), HasSubstr("TOPIC_ALREADY_EXISTS"));
    EXPECT_THAT(e.what(), HasSubstr("Topic already exists"));
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
    EXPECT_THAT(e.where().file_name(), HasSubstr("error_test.cpp"));
  }
}

TEST(ClientError, StreamsAsToString) {
  std::ostringstream os;
  os << Error(RD_KAFKA_RESP_ERR__TIMED_OUT);
  EXPECT_EQ(os.str(), Error(RD_KAFKA_RESP_ERR__TIMED_OUT).to_string());
}

TEST(ClientVersion, ReportsTheLoadedLibrdkafkaAndGatesOnTheHeaders) {
  EXPECT_FALSE(klab::client::librdkafka_version().empty());
  EXPECT_EQ(klab::client::librdkafka_version_number() >> 8, RD_KAFKA_VERSION >> 8)
      << "headers and library should be the same release";
  static_assert(KLAB_RDKAFKA_AT_LEAST(1, 9, 0));
  static_assert(!KLAB_RDKAFKA_AT_LEAST(99, 0, 0));
}

}  // namespace
