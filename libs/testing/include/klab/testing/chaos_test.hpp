#pragma once
// The fixture of tests that stop, kill or freeze brokers: they need the lab's own cluster
// (skipped with a reason on an external one), and they leave every node running for the next.
#include <gtest/gtest.h>

#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace klab::testing {

template <int Brokers = 1>
class ChaosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KLAB_REQUIRE_LOCAL_CLUSTER();
    KLAB_REQUIRE_BROKERS(Brokers);
  }
  void TearDown() override {
    if (!cluster().external()) restore_all_nodes();
  }
};

}  // namespace klab::testing
