// The rebalance timeline: one entry per change, with who joined, who left, what moved.
#include "group_timeline.hpp"

#include <gtest/gtest.h>

namespace {
using klab::client::GroupDescription;
using klab::client::GroupMember;
using klab::console::GroupTimeline;

GroupMember member(const std::string& id, std::vector<int> partitions) {
  GroupMember m{.member_id = id, .client_id = "app", .client_host = "/127.0.0.1", .assignment = {}};
  for (int p : partitions) m.assignment.push_back({"orders", p});
  return m;
}

GroupDescription group(const std::string& state, std::vector<GroupMember> members) {
  return {.group_id = "g", .state = state, .members = std::move(members)};
}

TEST(GroupTimeline, RecordsAChangeOnlyWhenStateMembersOrAssignmentDiffer) {
  GroupTimeline t;
  t.observe(1000, group("Stable", {member("a", {0, 1})}));
  t.observe(2000, group("Stable", {member("a", {1, 0})}));  // same, in another order
  ASSERT_EQ(t.entries().size(), 1u);
  t.observe(3000, group("PreparingRebalance", {member("a", {0, 1})}));
  t.observe(4000, group("Stable", {member("a", {0}), member("b", {1})}));
  ASSERT_EQ(t.entries().size(), 3u);

  const auto& last = t.entries().back();
  EXPECT_EQ(last.t_ms, 4000);
  EXPECT_EQ(last.joined, std::vector<std::string>{"b"});
  EXPECT_TRUE(last.left.empty());
  ASSERT_EQ(last.moved.size(), 1u);
  EXPECT_EQ(last.moved[0].partition, "orders-1");
  EXPECT_EQ(last.moved[0].from, "a");
  EXPECT_EQ(last.moved[0].to, "b");
}

TEST(GroupTimeline, AMemberThatLeavesGivesUpItsPartitions) {
  GroupTimeline t;
  t.observe(1000, group("Stable", {member("a", {0}), member("b", {1})}));
  t.observe(2000, group("Stable", {member("a", {0, 1})}));
  t.observe(3000, group("Empty", {}));
  const auto& left_b = t.entries()[1];
  EXPECT_EQ(left_b.left, std::vector<std::string>{"b"});
  ASSERT_EQ(left_b.moved.size(), 1u);
  EXPECT_EQ(left_b.moved[0].to, "a");
  const auto& empty = t.entries()[2];
  EXPECT_EQ(empty.left, std::vector<std::string>{"a"});
  EXPECT_EQ(empty.moved.size(), 2u) << "both partitions now have no owner";
  EXPECT_EQ(empty.moved[0].to, "");
}

TEST(GroupTimeline, KeepsOnlyRecentAndAtMostMaxEntries) {
  GroupTimeline t(/*keep_ms=*/10'000, /*max_entries=*/3);
  for (int i = 0; i < 5; ++i)
    t.observe(1000 * i, group(i % 2 ? "Stable" : "PreparingRebalance", {}));
  EXPECT_EQ(t.entries().size(), 3u);
  EXPECT_EQ(t.entries().front().t_ms, 2000);
  t.observe(20'000, group("Empty", {}));
  EXPECT_EQ(t.entries().size(), 1u) << "older than 10 s before the newest";
}

}  // namespace
