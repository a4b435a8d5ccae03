// One node: the out-of-memory lessons kill and restart it, and a queue that fills needs only one
// frozen leader.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);
