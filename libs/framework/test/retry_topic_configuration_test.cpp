// RetryTopicConfiguration without a broker: topic names, delays, classifiers, bad input; and
// DefaultErrorHandler's treatment of KafkaBackoffException.
#include "klab/framework/retrytopic/retry_topic_configuration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "klab/client/error.hpp"
#include "klab/framework/listener/error_handler.hpp"

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::framework::DefaultErrorHandler;
using klab::framework::ExponentialBackOff;
using klab::framework::FixedBackOff;
using klab::framework::KafkaBackoffException;
using klab::framework::RetryTopicConfiguration;
using klab::framework::TopicSuffixing;

template <typename E>
std::exception_ptr error_of(const char* what = "boom") {
  return std::make_exception_ptr(E(what));
}

// Runs `f`, expects KafkaException _INVALID_ARG whose message names `field`.
template <typename F>
void expect_invalid(F f, const std::string& field) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one naming " << field;
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG) << e.what();
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
  }
}

TEST(RetryTopicConfiguration, DefaultsAreThreeAttemptsOneSharedRetryTopicAndDashDlt) {
  RetryTopicConfiguration config({"orders"});
  config.validate();
  EXPECT_EQ(config.max_attempts(), 3);
  EXPECT_EQ(config.retry_topic("orders", 1), "orders-retry");
  EXPECT_EQ(config.retry_topic("orders", 2), "orders-retry") << "same interval, same topic";
  EXPECT_EQ(config.retry_topics("orders"), (std::vector<std::string>{"orders-retry"}));
  EXPECT_EQ(config.dlt_topic("orders"), "orders-dlt");
  EXPECT_EQ(config.delay(1), 1000ms) << "Spring's default: a fixed 1 s";
  EXPECT_EQ(config.delay(2), 1000ms);
  EXPECT_TRUE(config.auto_create_topics());
  EXPECT_FALSE(config.replication_factor()) << "default: the main topic's";
}

TEST(RetryTopicConfiguration, ExponentialBackOffGivesGrowingDelaysPerRetry) {
  RetryTopicConfiguration config({"orders"});
  config.max_attempts(5).back_off(ExponentialBackOff{.initial = 1000ms, .multiplier = 2.0});
  EXPECT_EQ(config.delay(1), 1000ms);
  EXPECT_EQ(config.delay(2), 2000ms);
  EXPECT_EQ(config.delay(3), 4000ms);
  EXPECT_EQ(config.delay(4), 8000ms);
  EXPECT_EQ(config.retry_topic("orders", 4), "orders-retry-8000") << "named by the delay";
}

TEST(RetryTopicConfiguration, DelaySuffixingNamesTopicsByDelayAndSharesRepeatedDelays) {
  RetryTopicConfiguration config({"orders"});
  config.max_attempts(5).back_off(
      ExponentialBackOff{.initial = 1000ms, .multiplier = 2.0, .max_interval = 2000ms});
  EXPECT_EQ(config.retry_topic("orders", 1), "orders-retry-1000");
  EXPECT_EQ(config.retry_topic("orders", 2), "orders-retry-2000");
  EXPECT_EQ(config.retry_topic("orders", 3), "orders-retry-2000") << "capped at max_interval";
  EXPECT_EQ(config.retry_topics("orders"),
            (std::vector<std::string>{"orders-retry-1000", "orders-retry-2000"}));
}

// Each expectation is what spring-kafka 4.0 named the same settings (its naming rules, measured
// for the defaults by SpringKafka.RetryableTopicWithFixedBackOffUsesOneRetryTopicThenTheDlt).
TEST(RetryTopicConfiguration, RetryTopicNamesFollowSpringsSuffixingAndReuseRules) {
  using klab::framework::SameIntervalTopicReuse;
  auto names = [](RetryTopicConfiguration config) {
    std::vector<std::string> out;
    for (int retry = 1; retry < config.max_attempts(); ++retry)
      out.push_back(config.retry_topic("t", retry));
    return out;
  };
  using V = std::vector<std::string>;
  const auto capped =
      ExponentialBackOff{.initial = 1000ms, .multiplier = 2.0, .max_interval = 2000ms};
  EXPECT_EQ(names(RetryTopicConfiguration({"t"}).max_attempts(2)), (V{"t-retry"}));
  EXPECT_EQ(names(RetryTopicConfiguration({"t"}).max_attempts(4).back_off(capped)),
            (V{"t-retry-1000", "t-retry-2000", "t-retry-2000"}))
      << "the retries at max_interval share the last topic";
  EXPECT_EQ(names(RetryTopicConfiguration({"t"}).max_attempts(4).back_off(capped).topic_suffixing(
                TopicSuffixing::index)),
            (V{"t-retry-0", "t-retry-1", "t-retry-1"}));
  EXPECT_EQ(names(RetryTopicConfiguration({"t"}).same_interval_topic_reuse(
                SameIntervalTopicReuse::multiple_topics)),
            (V{"t-retry-0", "t-retry-1"}));
  EXPECT_EQ(names(RetryTopicConfiguration({"t"})
                      .topic_suffixing(TopicSuffixing::delay)
                      .same_interval_topic_reuse(SameIntervalTopicReuse::multiple_topics)),
            (V{"t-retry-0", "t-retry-1"}))
      << "equal delays are indexed even with delay suffixing";
  EXPECT_EQ(names(RetryTopicConfiguration({"t"})
                      .max_attempts(5)
                      .back_off(capped)
                      .topic_suffixing(TopicSuffixing::delay)
                      .same_interval_topic_reuse(SameIntervalTopicReuse::multiple_topics)),
            (V{"t-retry-1000", "t-retry-2000-0", "t-retry-2000-1", "t-retry-2000-2"}));
}

TEST(RetryTopicConfiguration, SuffixesAreConfigurable) {
  RetryTopicConfiguration config({"a", "b"});
  config.retry_topic_suffix(".retry").dlt_suffix(".DLT").max_attempts(2);
  EXPECT_EQ(config.retry_topics("b"), (std::vector<std::string>{"b.retry"}));
  EXPECT_EQ(config.dlt_topic("a"), "a.DLT");
  EXPECT_TRUE(config.applies_to("a"));
  EXPECT_TRUE(config.applies_to("b"));
  EXPECT_FALSE(config.applies_to("a.retry"));
}

TEST(RetryTopicConfiguration, OneAttemptMeansNoRetryTopics) {
  RetryTopicConfiguration config({"orders"});
  config.max_attempts(1);
  config.validate();
  EXPECT_TRUE(config.retry_topics("orders").empty());
  expect_invalid([&] { config.delay(1); }, "retry");
}

TEST(RetryTopicConfiguration, EveryErrorIsRetryableByDefault) {
  RetryTopicConfiguration config({"t"});
  EXPECT_TRUE(config.retryable(error_of<std::runtime_error>()));
  EXPECT_TRUE(config.retryable(std::make_exception_ptr(42)));
}

TEST(RetryTopicConfiguration, NotRetryOnSendsMatchingErrorsAndSubtypesStraightToTheDlt) {
  RetryTopicConfiguration config({"t"});
  config.not_retry_on<std::logic_error>();
  EXPECT_FALSE(config.retryable(error_of<std::logic_error>()));
  EXPECT_FALSE(config.retryable(error_of<std::invalid_argument>())) << "derived from logic_error";
  EXPECT_TRUE(config.retryable(error_of<std::runtime_error>()));
}

TEST(RetryTopicConfiguration, RetryOnRetriesOnlyMatchingErrorsAndNotRetryOnWins) {
  RetryTopicConfiguration config({"t"});
  config.retry_on<std::runtime_error>().not_retry_on<std::range_error>();
  EXPECT_TRUE(config.retryable(error_of<std::runtime_error>()));
  EXPECT_FALSE(config.retryable(error_of<std::logic_error>())) << "not included";
  EXPECT_FALSE(config.retryable(error_of<std::range_error>())) << "excluded though included";
}

TEST(RetryTopicConfiguration, BadInputNamesTheSetting) {
  expect_invalid([] { RetryTopicConfiguration(std::vector<std::string>{}); }, "topics");
  expect_invalid([] { RetryTopicConfiguration({"a", ""}); }, "topics");
  expect_invalid([] { RetryTopicConfiguration({"a", "a"}); }, "topics");
  expect_invalid([] { RetryTopicConfiguration().validate(); }, "topics");
  expect_invalid([] { RetryTopicConfiguration({"a"}).max_attempts(0); }, "max_attempts");
  expect_invalid([] { RetryTopicConfiguration({"a"}).max_attempts(-3); }, "max_attempts");
  expect_invalid([] { RetryTopicConfiguration({"a"}).replication_factor(0); },
                 "replication_factor");
  expect_invalid([] { RetryTopicConfiguration({"a"}).retry_topic_suffix(""); },
                 "retry_topic_suffix");
  expect_invalid([] { RetryTopicConfiguration({"a"}).dlt_suffix(""); }, "dlt_suffix");
}

TEST(RetryTopicConfiguration, BackOffGivingUpBeforeTheAttemptsIsRejected) {
  RetryTopicConfiguration config({"a"});
  config.max_attempts(4).back_off(FixedBackOff{100ms, 2});
  expect_invalid([&] { config.validate(); }, "back_off");
}

TEST(RetryTopicConfiguration, TopicNamesThatCollideAreRejected) {
  RetryTopicConfiguration dlt_is_retry({"a"});
  dlt_is_retry.dlt_suffix("-retry");
  expect_invalid([&] { dlt_is_retry.validate(); }, "dlt_suffix");

  RetryTopicConfiguration retry_is_main({"a", "a-retry"});
  expect_invalid([&] { retry_is_main.validate(); }, "retry_topic_suffix");
}

TEST(KafkaBackoffException, ErrorHandlerWaitsUntilTheDueTimeAndNeverRecovers) {
  DefaultErrorHandler handler(FixedBackOff{0ms, 0});
  handler.add_not_retryable<std::runtime_error>();  // would recover a real runtime_error
  auto due = std::chrono::system_clock::now() + 5s;
  auto early = std::make_exception_ptr(KafkaBackoffException(due, "early"));
  for (int failures : {1, 2, 100}) {
    auto delay = handler.retry_delay(early, failures);
    ASSERT_TRUE(delay) << "never recovered, failures " << failures;
    EXPECT_GT(*delay, 4000ms);
    EXPECT_LE(*delay, 5000ms);
  }
  EXPECT_FALSE(handler.retry_delay(error_of<std::runtime_error>(), 1)) << "classifier still works";
}

TEST(KafkaBackoffException, PastDueTimeGivesTheShortestWait) {
  DefaultErrorHandler handler;
  auto late =
      std::make_exception_ptr(KafkaBackoffException(std::chrono::system_clock::now() - 1s, "late"));
  EXPECT_EQ(handler.retry_delay(late, 1), 1ms);
}

TEST(ExceptionTypeAndMessage, NamesTheDynamicTypeAndWhat) {
  auto [type, message] =
      klab::framework::exception_type_and_message(error_of<std::invalid_argument>("bad order"));
  EXPECT_EQ(type, "std::invalid_argument");
  EXPECT_EQ(message, "bad order");
  auto [int_type, int_message] =
      klab::framework::exception_type_and_message(std::make_exception_ptr(7));
  EXPECT_EQ(int_type, "int");
  EXPECT_EQ(int_message, "");
}

}  // namespace
