// The console's pure helpers: input checks, timestamps, UTF-8 and SSE framing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <system_error>

#include "api_error.hpp"
#include "event_hub.hpp"
#include "klab/console/console_server.hpp"
#include "record_json.hpp"
#include "validation.hpp"

namespace {

using klab::console::ApiError;

TEST(ConsoleValidation, TopicNamesFollowKafkasRules) {
  EXPECT_NO_THROW(klab::console::check_topic_name("orders.v1_2-x"));
  EXPECT_NO_THROW(klab::console::check_topic_name(std::string(249, 'a')));
  for (std::string bad :
       std::vector<std::string>{"", ".", "..", "a b", "a/b", "한글", std::string(250, 'a')})
    EXPECT_THROW(klab::console::check_topic_name(bad), ApiError) << bad;
}

TEST(ConsoleValidation, TimestampsAreMillisecondsOrIsoWithAZone) {
  using klab::console::parse_timestamp;
  EXPECT_EQ(parse_timestamp("t", "1795514400000"), 1795514400000);
  EXPECT_EQ(parse_timestamp("t", "2026-11-24T10:00:00Z"), 1795514400000);
  EXPECT_EQ(parse_timestamp("t", "2026-11-24T19:00:00+09:00"), 1795514400000);
  EXPECT_EQ(parse_timestamp("t", "2026-11-24T10:00:00.250Z"), 1795514400250);
  EXPECT_EQ(parse_timestamp("t", "2026-11-24T10:00Z"), 1795514400000);
  // The CLI's rules exactly (klab::lab::parse_time_ms): impossible days and second 60 too.
  for (std::string bad :
       {"", "yesterday", "-5", "2026-11-24T10:00:00", "2026-13-01T00:00:00Z",
        "2026-02-31T10:00:00Z", "2026-11-24T23:59:60Z", "2026-11-24T10:00:00+0900"}) {
    try {
      parse_timestamp("timestamp", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_THAT(e.what(), ::testing::HasSubstr("timestamp '" + bad + "'"));
    }
  }
}

TEST(ConsoleRecords, Utf8IsRecognisedAndOtherBytesAreBase64) {
  EXPECT_TRUE(klab::console::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(klab::console::is_valid_utf8("카프카 🚀"));
  EXPECT_FALSE(klab::console::is_valid_utf8(std::string("\xff\x00\x01", 3)));
  EXPECT_FALSE(klab::console::is_valid_utf8("\xc3\x28"));      // bad continuation
  EXPECT_FALSE(klab::console::is_valid_utf8("\xe0\x80\xaf"));  // overlong
  EXPECT_FALSE(klab::console::is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(klab::console::is_valid_utf8("\xe2\x82"));      // cut short
}

TEST(ConsoleEvents, SseFramesSplitMultilineData) {
  EXPECT_EQ(klab::console::sse_frame("overview", "{\"a\":1}"),
            "event: overview\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(klab::console::sse_frame("m", "one\ntwo"), "event: m\ndata: one\ndata: two\n\n");
}

TEST(ConsoleServerStart, ASecondServerOnATakenPortFailsNamingIt) {
  // Nothing listens on this bootstrap: binding the HTTP port needs no cluster.
  klab::console::ConsoleOptions o;
  o.port = 0;
  o.target.bootstrap = "127.0.0.1:1";
  klab::console::ConsoleServer first(o);
  first.start();
  o.port = first.port();
  klab::console::ConsoleServer second(o);
  try {
    second.start();
    ADD_FAILURE() << "a second server bound port " << o.port;
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::address_in_use);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("127.0.0.1:" + std::to_string(o.port)));
  }
}

}  // namespace
