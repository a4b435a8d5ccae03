// The cluster p5_transactions_test runs on.
// Transactions on three brokers: __transaction_state and __consumer_offsets get RF 3.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3);
