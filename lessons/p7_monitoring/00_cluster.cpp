// The cluster these lessons run on: three nodes, so replicas, under-replicated partitions and
// the one active controller among several brokers can be observed.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3);
