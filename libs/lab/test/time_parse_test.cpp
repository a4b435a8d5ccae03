// One parser for every point in time the CLI and the console accept.
#include "klab/lab/time_parse.hpp"

#include <gtest/gtest.h>

#include "klab/lab/lab_error.hpp"

namespace {
using klab::lab::LabError;
using klab::lab::parse_time_ms;

TEST(TimeParse, AcceptsMillisecondsAndIsoWithAZone) {
  EXPECT_EQ(parse_time_ms("t", "1795514400000"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T10:00:00Z"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T19:00:00+09:00"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T05:30:00-04:30"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T10:00:00.250Z"), 1795514400250);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T10:00:00.2Z"), 1795514400200);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24T10:00Z"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2026-11-24 10:00:00Z"), 1795514400000);
  EXPECT_EQ(parse_time_ms("t", "2028-02-29T00:00:00Z"), 1835395200000) << "a leap day";
  EXPECT_EQ(parse_time_ms("t", "1970-01-01T00:00:00Z"), 0);
}

TEST(TimeParse, RefusesDaysTheCalendarDoesNotHaveAndLeapSeconds) {
  for (const char* bad :
       {"2026-02-31T10:00:00Z", "2027-02-29T10:00:00Z", "2026-04-31T00:00Z", "2026-13-01T00:00Z",
        "2026-00-10T00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T10:60:00Z", "2026-11-24T23:59:60Z",
        "2026-11-24T10:00:00", "2026-11-24T10:00:00+19:00", "2026-11-24T10:00:00+09", "2026-11-24",
        "yesterday", "", "-5", "1969-12-31T23:59:59Z", "2026-11-24T10:00:00Zx",
        "99999999999999999999"}) {
    try {
      parse_time_ms("--to-datetime", bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const LabError& e) {
      EXPECT_EQ(e.kind(), LabError::Kind::invalid_input);
      std::string what = e.what();
      EXPECT_NE(what.find("--to-datetime"), std::string::npos) << what;
      EXPECT_NE(what.find("2026-11-24T10:00:00Z"), std::string::npos) << "names a good form";
    }
  }
}

}  // namespace
