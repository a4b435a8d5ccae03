// Three nodes, every topic RF 3, and a TCP fault proxy in front of each broker: the network
// lessons cut or slow one broker off from its clients while the brokers still see each other.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3, .fault_proxy = true);
