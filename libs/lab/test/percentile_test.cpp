#include "klab/lab/percentile.hpp"

#include <gtest/gtest.h>

namespace {
using klab::lab::percentile;

TEST(Percentile, NearestRankOfUnsortedValues) {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // 1..100, reversed
  EXPECT_EQ(percentile(v, 0.50), 50);
  EXPECT_EQ(percentile(v, 0.99), 99);
  EXPECT_EQ(percentile(v, 0.999), 100);
  EXPECT_EQ(percentile(v, 0.0), 1);
  EXPECT_EQ(percentile(v, 1.0), 100);
  EXPECT_EQ(percentile({7}, 0.5), 7);
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({1, 2, 3, 4}, 0.5), 2) << "nearest rank, no interpolation";
}

}  // namespace
