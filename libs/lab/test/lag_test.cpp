#include "klab/lab/lag.hpp"

#include <gtest/gtest.h>

namespace {
using klab::lab::lag_of;

TEST(Lag, IsLogEndMinusCommittedOrEveryKeptRecordWhenNothingIsCommitted) {
  EXPECT_EQ(lag_of(4, {0, 10}), 6);
  EXPECT_EQ(lag_of(10, {0, 10}), 0);
  EXPECT_EQ(lag_of(12, {0, 10}), 0) << "never negative";
  EXPECT_EQ(lag_of(klab::client::offset_invalid, {3, 10}), 7) << "what earliest would read";
}

}  // namespace
