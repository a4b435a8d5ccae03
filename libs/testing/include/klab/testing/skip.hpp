#pragma once
// Skipping a test with its reason kept: GoogleTest 1.12's JSON report drops GTEST_SKIP()'s
// message, so the reason is also recorded as the test's "skip_reason" property, which
// `klab progress` and the console show next to the row.
#include <gtest/gtest.h>

#include <sstream>

/// KLAB_SKIP("needs " << n << " brokers"): records the reason, then skips the test.
#define KLAB_SKIP(reason)                                                    \
  do {                                                                       \
    std::ostringstream klab_skip_reason_;                                    \
    klab_skip_reason_ << reason;                                             \
    ::testing::Test::RecordProperty("skip_reason", klab_skip_reason_.str()); \
    GTEST_SKIP() << klab_skip_reason_.str();                                 \
  } while (0)
