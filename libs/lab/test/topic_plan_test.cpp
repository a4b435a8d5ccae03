// The topic planner on its own: what a topics file against a cluster's state becomes.
#include "klab/lab/topic_plan.hpp"

#include <gtest/gtest.h>

#include "klab/lab/lab_error.hpp"

namespace {
using klab::lab::DesiredTopic;
using klab::lab::LabError;
using klab::lab::ObservedTopic;
using klab::lab::parse_topics_yaml;
using klab::lab::plan_topics;
using Kind = klab::lab::TopicChange::Kind;

constexpr const char* orders_yaml = R"(topics:
  - name: orders
    partitions: 6
    replication_factor: 3
    configs:
      retention.ms: "604800000"
  - name: payments
    partitions: 3
    replication_factor: 3
)";

std::string error_of(std::string_view yaml) {
  try {
    parse_topics_yaml(yaml, "topics.yaml");
  } catch (const LabError& e) {
    EXPECT_EQ(e.kind(), LabError::Kind::invalid_input);
    return e.what();
  }
  return "(accepted)";
}

TEST(TopicsFile, ParsesNamesCountsAndConfigsAsStrings) {
  auto topics = parse_topics_yaml(orders_yaml, "topics.yaml");
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].name, "orders");
  EXPECT_EQ(topics[0].partitions, 6);
  EXPECT_EQ(topics[0].replication_factor, 3);
  EXPECT_EQ(topics[0].configs.at("retention.ms"), "604800000");
  EXPECT_TRUE(topics[1].configs.empty());
}

TEST(TopicsFile, EachMistakeIsNamedWithItsLine) {
  EXPECT_EQ(error_of("topics: [\n"), "topics.yaml:2: not YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("orders: 1\n"),
            "topics.yaml: expected a `topics:` list (see `klab topics plan --help`)");
  EXPECT_EQ(error_of("topics:\n  - name: a\n    partitions: 0\n    replication_factor: 1\n"),
            "topics.yaml:3: partitions of topic a must be at least 1");
  EXPECT_EQ(error_of("topics:\n  - name: a\n    partitions: six\n    replication_factor: 1\n"),
            "topics.yaml:3: partitions of topic a must be a whole number");
  EXPECT_EQ(error_of("topics:\n  - name: a\n    partitions: 1\n"),
            "topics.yaml:2: topic a has no replication_factor");
  EXPECT_EQ(error_of("topics:\n  - name: a\n    partitions: 1\n    replication_factor: 1\n"
                     "    partition: 2\n"),
            "topics.yaml:5: unknown field 'partition' (known: name, partitions, "
            "replication_factor, configs)");
  EXPECT_EQ(error_of("topics:\n  - name: a\n    partitions: 1\n    replication_factor: 1\n"
                     "  - name: a\n    partitions: 1\n    replication_factor: 1\n"),
            "topics.yaml:5: topic a is listed twice");
}

TEST(TopicPlan, AnEmptyClusterGetsEveryTopicCreated) {
  auto plan = plan_topics(parse_topics_yaml(orders_yaml, "f"), {}, false);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].kind, Kind::create);
  EXPECT_EQ(plan.changes[0].detail,
            "6 partitions, replication factor 3, retention.ms: (default) -> 604800000");
  EXPECT_EQ(plan.actions(), 2u);
  EXPECT_FALSE(plan.refused());
}

TEST(TopicPlan, AClusterMatchingTheFileNeedsNothing) {
  auto plan = plan_topics(
      parse_topics_yaml(orders_yaml, "f"),
      {{"orders", 6, 3, {{"retention.ms", "604800000"}}}, {"payments", 3, 3, {}}}, false);
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_EQ(plan.unchanged, (std::vector<std::string>{"orders", "payments"}));
}

TEST(TopicPlan, MorePartitionsAndOtherConfigsAreChangesAndOverridesNotInTheFileAreReset) {
  auto plan =
      plan_topics(parse_topics_yaml(orders_yaml, "f"),
                  {{"orders", 3, 3, {{"retention.ms", "86400000"}, {"cleanup.policy", "compact"}}},
                   {"payments", 3, 3, {}}},
                  false);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_EQ(plan.changes[0].kind, Kind::add_partitions);
  EXPECT_EQ(plan.changes[0].detail, "3 -> 6 partitions (keys move to other partitions)");
  EXPECT_EQ(plan.changes[1].kind, Kind::alter_configs);
  EXPECT_EQ(plan.changes[1].detail,
            "retention.ms: 86400000 -> 604800000, cleanup.policy: compact -> (default)");
}

TEST(TopicPlan, FewerPartitionsOrAnotherReplicationFactorIsRefusedNotApplied) {
  auto plan = plan_topics(
      parse_topics_yaml(orders_yaml, "f"),
      {{"orders", 12, 3, {{"retention.ms", "604800000"}}}, {"payments", 3, 1, {}}}, false);
  ASSERT_EQ(plan.changes.size(), 2u);
  EXPECT_TRUE(plan.refused());
  EXPECT_EQ(plan.changes[0].kind, Kind::refused);
  EXPECT_NE(plan.changes[0].detail.find("12 -> 6 partitions: Kafka cannot remove partitions"),
            std::string::npos);
  EXPECT_EQ(plan.changes[1].kind, Kind::refused);
  EXPECT_NE(plan.changes[1].detail.find("kafka-reassign-partitions"), std::string::npos);
}

TEST(TopicPlan, ATopicMissingFromTheFileIsDeletedOnlyWhenAllowed) {
  auto desired = parse_topics_yaml(orders_yaml, "f");
  std::vector<ObservedTopic> observed{{"orders", 6, 3, {{"retention.ms", "604800000"}}},
                                      {"payments", 3, 3, {}},
                                      {"legacy", 2, 1, {}}};
  auto kept = plan_topics(desired, observed, false);
  ASSERT_EQ(kept.changes.size(), 1u);
  EXPECT_EQ(kept.changes[0].kind, Kind::unmanaged);
  EXPECT_EQ(kept.actions(), 0u);
  auto deleted = plan_topics(desired, observed, true);
  ASSERT_EQ(deleted.changes.size(), 1u);
  EXPECT_EQ(deleted.changes[0].kind, Kind::delete_topic);
  EXPECT_EQ(deleted.actions(), 1u);
}

TEST(TopicPlan, APrefixScopeLeavesEveryOtherTopicOutOfThePlan) {
  auto desired = parse_topics_yaml(orders_yaml, "f");
  std::vector<ObservedTopic> observed{{"orders", 6, 3, {{"retention.ms", "604800000"}}},
                                      {"other-team", 2, 1, {}},
                                      {"orders-old", 2, 1, {}}};
  auto plan = plan_topics({desired[0]}, observed, true, "orders");
  ASSERT_EQ(plan.changes.size(), 1u);
  EXPECT_EQ(plan.changes[0].topic, "orders-old");
  EXPECT_EQ(plan.changes[0].kind, Kind::delete_topic);
  EXPECT_THROW(plan_topics(desired, observed, true, "orders"), LabError)
      << "payments is outside the prefix";
}

}  // namespace
