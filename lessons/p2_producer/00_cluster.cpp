// The cluster p2_producer_test runs on.
// Auto-creation off: a topic exists only when a lesson creates it.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .broker_properties = {{"auto.create.topics.enable", "false"}});
