// 3.2 Consumer groups: members split the partitions; joins and leaves rebalance them (eager
// takes everything back, cooperative only what moves); a static member may restart without a
// rebalance; one broker coordinates each group.
#include <gtest/gtest.h>

#include <set>

#include "klab/client/admin.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"
#include "member.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Admin;
using klab::client::Config;
using klab::client::RebalanceKind;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;
using lessons::Member;

Config member_config(const std::string& group, std::string_view strategy = "range") {
  auto c = klab::testing::consumer_config(cluster().client_config(), group);
  c.partition_assignment_strategy(strategy).session_timeout_ms(6000).heartbeat_interval_ms(500);
  return c;
}

std::set<int> partitions_in(const std::vector<klab::client::RebalanceEvent>& events,
                            RebalanceKind kind) {
  std::set<int> out;
  for (const auto& e : events)
    if (e.kind == kind)
      for (const auto& tp : e.partitions) out.insert(tp.partition);
  return out;
}

TEST(P3Group, MembersSplitThePartitionsWithoutOverlap) {
  KLAB_ROADMAP("3.2.1");
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 6, 1);
  auto group = unique_name("g");
  Member a(member_config(group), topic), b(member_config(group), topic),
      c(member_config(group), topic);
  ASSERT_TRUE(lessons::await_split({&a, &b, &c}, 6, 60s));
  EXPECT_EQ(a.owned().size(), 2u);
  EXPECT_EQ(b.owned().size(), 2u);
  EXPECT_EQ(c.owned().size(), 2u);
}

TEST(P3Rebalance, JoiningAndLeavingMembersMovePartitions) {
  KLAB_ROADMAP("3.2.2");
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  Member a(member_config(group), topic);
  ASSERT_TRUE(lessons::await_split({&a}, 4, 60s));
  {
    Member b(member_config(group), topic);
    ASSERT_TRUE(lessons::await_split({&a, &b}, 4, 60s));
    EXPECT_EQ(a.owned().size(), 2u) << "a joiner takes half";
    b.leave();
    ASSERT_TRUE(lessons::await_split({&a}, 4, 60s)) << "a leaver's partitions come back";
  }
  EXPECT_GE(a.revocations(), 2u) << "one rebalance for the join, one for the leave";
}

// The first member's view of a second member joining, under one assignment protocol.
struct JoinSeen {
  std::set<int> owned_before, revoked, kept;
  bool cooperative = false;
};

JoinSeen second_member_joins(std::string_view strategy) {
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  Member a(member_config(group, strategy), topic);
  EXPECT_TRUE(lessons::await_split({&a}, 4, 60s));
  JoinSeen seen;
  seen.owned_before = a.owned();
  auto before = a.events().size();
  Member b(member_config(group, strategy), topic);
  EXPECT_TRUE(lessons::await_split({&a, &b}, 4, 60s));
  auto events = a.events();
  events.erase(events.begin(), events.begin() + static_cast<long>(before));
  seen.revoked = partitions_in(events, RebalanceKind::revoked);
  seen.kept = a.owned();
  seen.cooperative = !events.empty() && events.front().cooperative;
  return seen;
}

TEST(P3Rebalance, EagerRevokesEveryPartitionButCooperativeOnlyThoseThatMove) {
  KLAB_ROADMAP("3.2.2");
  auto eager = second_member_joins("range");
  auto coop = second_member_joins("cooperative-sticky");
  std::cout << "eager: revoked " << eager.revoked.size() << " of " << eager.owned_before.size()
            << "; cooperative: revoked " << coop.revoked.size() << " of "
            << coop.owned_before.size() << '\n';
  EXPECT_FALSE(eager.cooperative);
  EXPECT_EQ(eager.revoked, eager.owned_before) << "eager: stop the world, give all back";
  EXPECT_TRUE(coop.cooperative);
  EXPECT_EQ(coop.revoked.size(), 2u) << "cooperative: only the 2 partitions the joiner gets";
  for (int p : coop.kept)
    EXPECT_FALSE(coop.revoked.contains(p)) << "kept partitions were never revoked";
}

TEST(P3Rebalance,
     StaticMemberRestartingWithinTheSessionTimeoutGetsItsPartitionsBackWithoutRebalance) {
  KLAB_ROADMAP("3.2.2");
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 4, 1);
  auto group = unique_name("g");
  auto static_config = [&](const std::string& id) {
    auto c = member_config(group);
    c.group_instance_id(id).session_timeout_ms(30000);
    return c;
  };
  Member a(static_config("a"), topic);
  std::set<int> b_before;
  {
    Member b(static_config("b"), topic);
    ASSERT_TRUE(lessons::await_split({&a, &b}, 4, 60s));
    b_before = b.owned();
    b.leave();  // a static member sends no LeaveGroup: the coordinator keeps its place
  }
  auto a_events = a.events().size();
  Member b(static_config("b"), topic);
  ASSERT_TRUE(lessons::await_split({&a, &b}, 4, 60s));
  EXPECT_EQ(b.owned(), b_before) << "same group.instance.id, same partitions";
  EXPECT_EQ(a.events().size(), a_events) << "the other member saw no rebalance at all";
}

TEST(P3Coordinator, OneBrokerCoordinatesTheGroupThroughItsStates) {
  KLAB_ROADMAP("3.2.3");
  auto topic = unique_name("work");
  klab::testing::create_topic(topic, 2, 1);
  auto group = unique_name("g");
  Admin admin(cluster().client_config());
  std::vector<std::string> states;
  auto note_state = [&] {
    auto d = admin.describe_group(group, scaled(10s));
    if (states.empty() || states.back() != d.state) states.push_back(d.state);
    return d;
  };
  {
    Member a(member_config(group), topic);
    ASSERT_TRUE(lessons::await_split({&a}, 2, 60s));
    ASSERT_TRUE(
        klab::cluster::await_until([&] { return note_state().state == "Stable"; }, scaled(30s)));
    auto d = note_state();
    auto brokers = admin.describe_cluster(scaled(10s)).brokers;
    EXPECT_TRUE(std::any_of(brokers.begin(), brokers.end(),
                            [&](const auto& b) { return b.id == d.coordinator_id; }))
        << "coordinator " << d.coordinator_id << " is one of the brokers";
    EXPECT_EQ(d.members.size(), 1u);
    a.consumer().commit_sync();
  }
  ASSERT_TRUE(
      klab::cluster::await_until([&] { return note_state().state == "Empty"; }, scaled(30s)))
      << "no members, offsets kept";
  std::string path;
  for (const auto& s : states) path += (path.empty() ? "" : " -> ") + s;
  std::cout << "group states seen: " << path << '\n';
  EXPECT_EQ(states.back(), "Empty");
}

}  // namespace
