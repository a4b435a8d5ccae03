// The cluster p1_concepts_test runs on: three real KRaft nodes, so replicas, leaders and the
// quorum have somewhere to live.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3);
