#pragma once
// The mock-cluster fixture: each test gets a fresh librdkafka mock cluster (NOT a real Kafka
// broker; see klab/client/mock_cluster.hpp for when it is the right tool).
#include <gtest/gtest.h>

#include "klab/client/mock_cluster.hpp"

namespace klab::testing {

using klab::client::MockCluster;

/// Fixture: each test gets a fresh 3-broker mock cluster.
class MockClusterTest : public ::testing::Test {
 protected:
  MockCluster mock_{3};
};

}  // namespace klab::testing
