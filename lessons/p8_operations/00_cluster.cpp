// One node with the guard rails of 8.1.1: no automatic topic creation, and the lab's create-topic
// policy (kafka/policy, compiled by scripts/setup) enforcing <domain>.<entity> names and at most
// 24 partitions (`[.]`, not a backslash: server.properties would eat it). Beside it the lab's
// schema registry (8.1.2). Every lesson of this
// binary names its topics "<Suite>.<test>-...", which the convention admits.
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1,
                  .broker_properties =
                      {
                          {"auto.create.topics.enable", "false"},
                          {"create.topic.policy.class.name", "lab.kafka.policy.TopicNamingPolicy"},
                          {"klab.policy.topic.name.pattern", "[A-Za-z0-9]+[.][A-Za-z0-9._-]+"},
                          {"klab.policy.max.partitions", "24"},
                      },
                  .registry = true);
