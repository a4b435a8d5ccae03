// The cluster p3_consumer_test runs on.
// Short session timeouts keep the rebalance lessons (02, 04) quick.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3, .broker_properties = {{"group.min.session.timeout.ms", "2000"}});
