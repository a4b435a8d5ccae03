// The cluster p2_producer_chaos_test runs on.
// Faster fencing of a killed broker (default 9 s) keeps each failover short; no auto-created
// topics, so a mistyped topic fails (10_failure_handling).
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3, .broker_properties = {{"broker.session.timeout.ms", "6000"},
                                                    {"broker.heartbeat.interval.ms", "1000"},
                                                    {"auto.create.topics.enable", "false"}});
