#pragma once
// GoogleMock matchers on consumed records (Spring's KafkaConditions / KafkaMatchers), so a test
// states what it expects of a record in one line and a failure says which part differed:
//   EXPECT_THAT(records, Contains(AllOf(HasKey("k"), HasValue("v"), OnPartition(1))));
#include <gmock/gmock.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "klab/client/record.hpp"

namespace klab::client {
/// Prints a consumed record as "topic/partition@offset key=.. value=.. headers={..}" in gtest
/// failure messages (found by ADL). Errors: none.
void PrintTo(const Record& record, std::ostream* os);
}  // namespace klab::client

namespace klab::testing {

/// The record's key (as std::string) matches `key`: a string or any std::string matcher, e.g.
/// HasKey(StartsWith("order-")). A null key never matches.
MATCHER_P(HasKey, key, "has a key that " + ::testing::DescribeMatcher<std::string>(key)) {
  auto k = arg.key();
  if (!k) {
    *result_listener << "whose key is null";
    return false;
  }
  *result_listener << "whose key is \"" << *k << "\" ";
  return ::testing::ExplainMatchResult(::testing::MatcherCast<std::string>(key), std::string(*k),
                                       result_listener);
}

/// The record's value (as std::string) matches `value`: a string or any std::string matcher,
/// e.g. HasValue(HasSubstr("\"qty\":3")). A null value (tombstone) never matches.
MATCHER_P(HasValue, value, "has a value that " + ::testing::DescribeMatcher<std::string>(value)) {
  auto v = arg.value();
  if (!v) {
    *result_listener << "whose value is null (a tombstone)";
    return false;
  }
  *result_listener << "whose value is \"" << *v << "\" ";
  return ::testing::ExplainMatchResult(::testing::MatcherCast<std::string>(value), std::string(*v),
                                       result_listener);
}

/// The record has a header named `name` (any value, even null).
MATCHER_P(HasHeader, name, "has a header \"" + std::string(name) + "\"") {
  if (arg.headers().last(name)) return true;
  *result_listener << "which has no header \"" << name << "\" (it has " << arg.headers().size()
                   << " headers)";
  return false;
}

/// The LAST header named `name` (Kafka's lastHeader) has a non-null value matching `value`: a
/// string or any std::string matcher.
MATCHER_P2(HasHeader, name, value,
           "has a header \"" + std::string(name) + "\" whose value " +
               ::testing::DescribeMatcher<std::string>(value)) {
  const auto* header = arg.headers().last(name);
  if (!header) {
    *result_listener << "which has no header \"" << name << "\"";
    return false;
  }
  if (!header->value) {
    *result_listener << "whose header \"" << name << "\" is null";
    return false;
  }
  *result_listener << "whose header \"" << name << "\" is \"" << *header->value << "\" ";
  return ::testing::ExplainMatchResult(::testing::MatcherCast<std::string>(value), *header->value,
                                       result_listener);
}

/// The record was read from topic `topic`.
MATCHER_P(HasTopic, topic, "is on topic \"" + std::string(topic) + "\"") {
  if (arg.topic() == std::string_view(topic)) return true;
  *result_listener << "which is on topic \"" << arg.topic() << "\"";
  return false;
}

/// The record was read from partition `partition`.
MATCHER_P(OnPartition, partition, "is on partition " + ::testing::PrintToString(partition)) {
  if (arg.partition() == static_cast<std::int32_t>(partition)) return true;
  *result_listener << "which is on partition " << arg.partition();
  return false;
}

/// The record sits at offset `offset` of its partition.
MATCHER_P(AtOffset, offset, "is at offset " + ::testing::PrintToString(offset)) {
  if (arg.offset() == static_cast<std::int64_t>(offset)) return true;
  *result_listener << "which is at offset " << arg.offset();
  return false;
}

}  // namespace klab::testing
