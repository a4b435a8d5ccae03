// One node: the tuning lessons count requests, batches and bytes, which a single broker shows
// as well as three, for a third of the start-up cost. The fault proxy limits bandwidth (7.1.3).
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .fault_proxy = true);
