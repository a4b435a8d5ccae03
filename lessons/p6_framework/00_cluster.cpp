// The cluster this lesson binary runs on: one real node is enough for these patterns.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);
