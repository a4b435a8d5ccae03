// Back-off policies: how many retries and how long each wait is.
#include "klab/framework/listener/back_off.hpp"

#include <gtest/gtest.h>

#include "klab/client/producer.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/error_handler.hpp"

namespace {
using namespace std::chrono_literals;
using klab::framework::BackOff;
using klab::framework::DefaultErrorHandler;
using klab::framework::ExponentialBackOff;
using klab::framework::FixedBackOff;

TEST(BackOff, FixedGivesMaxAttempts) {
  FixedBackOff back_off{250ms, 3};
  EXPECT_EQ(back_off.next_delay(1), 250ms);
  EXPECT_EQ(back_off.next_delay(3), 250ms);
  EXPECT_EQ(back_off.next_delay(4), std::nullopt) << "three retries, then recover";
  EXPECT_EQ(FixedBackOff{}.next_delay(9), 0ms) << "Spring's default: 9 immediate retries";
  EXPECT_EQ(FixedBackOff{}.next_delay(10), std::nullopt);
}

TEST(BackOff, ExponentialStopsAtMaxElapsed) {
  ExponentialBackOff back_off{
      .initial = 100ms, .multiplier = 2.0, .max_interval = 500ms, .max_elapsed = 1500ms};
  EXPECT_EQ(back_off.next_delay(1), 100ms);
  EXPECT_EQ(back_off.next_delay(2), 200ms);
  EXPECT_EQ(back_off.next_delay(3), 400ms);
  EXPECT_EQ(back_off.next_delay(4), 500ms) << "capped at max_interval (sum 1200ms)";
  EXPECT_EQ(back_off.next_delay(5), std::nullopt) << "another 500ms would pass 1500ms in sum";
}

TEST(BackOff, NotRetryableErrorsSkipTheBackOff) {
  DefaultErrorHandler handler(BackOff(FixedBackOff{10ms, 5}));
  handler.add_not_retryable<std::invalid_argument>();
  auto retryable = std::make_exception_ptr(std::runtime_error("x"));
  auto fatal = std::make_exception_ptr(std::invalid_argument("y"));
  EXPECT_EQ(handler.retry_delay(retryable, 1), 10ms);
  EXPECT_EQ(handler.retry_delay(fatal, 1), std::nullopt);
}

TEST(DeadLetterPublishingRecoverer, AnEmptyDltSuffixIsRefusedNamingIt) {
  // The DLT would be the failing record's own topic: an endless loop of redeliveries.
  klab::client::Producer producer(klab::client::Config().bootstrap_servers("127.0.0.1:1"));
  try {
    klab::framework::DeadLetterPublishingRecoverer recoverer(producer, std::chrono::seconds(1), "");
    ADD_FAILURE() << "accepted an empty suffix";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    EXPECT_NE(std::string(e.what()).find("dlt_suffix"), std::string::npos) << e.what();
  }
}

}  // namespace
