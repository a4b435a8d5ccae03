// Three nodes for the lessons that need a quorum to lose, replicas to fall out of sync, or a
// version to roll: the monitoring checklist (8.3.4).
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3);
