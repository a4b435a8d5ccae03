// The cluster p4_topics_test runs on.
// 3 brokers for replication; retention checks and the log cleaner run every second or so, so
// 03_retention's deletions and compactions happen within a test's patience.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 3, .broker_properties = {{"log.retention.check.interval.ms", "1000"},
                                                    {"log.cleaner.backoff.ms", "500"},
                                                    {"log.segment.delete.delay.ms", "0"},
                                                    {"broker.session.timeout.ms", "6000"},
                                                    {"broker.heartbeat.interval.ms", "1000"}});
