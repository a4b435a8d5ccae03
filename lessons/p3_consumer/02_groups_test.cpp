// 3.2 Consumer groups: members split the partitions; joins and leaves rebalance them (eager
// takes everything back, cooperative only what moves); a static member may restart without a
// rebalance; one broker coordinates each group.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
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

// The __consumer_offsets partition that holds a group's offsets, as Kafka computes it:
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions (Java's String.hashCode over
// UTF-16 units; the group ids here are ASCII, one unit per byte).
int offsets_partition_of(const std::string& group, int partitions) {
  std::int32_t h = 0;
  for (unsigned char c : group)
    h = static_cast<std::int32_t>(31u * static_cast<std::uint32_t>(h) + c);
  std::int32_t abs = h == std::numeric_limits<std::int32_t>::min() ? 0 : (h < 0 ? -h : h);
  return abs % partitions;
}

// The state path with repeats collapsed, e.g. "Stable -> PreparingRebalance -> Stable".
std::string joined(const std::vector<std::string>& states) {
  std::string path;
  for (const auto& s : states) path += (path.empty() ? "" : " -> ") + s;
  return path;
}

TEST(P3Coordinator, LeaderOfTheGroupsOffsetsPartitionCoordinatesItThroughItsStates) {
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
  auto await_state = [&](const std::string& want) {
    return klab::cluster::await_until([&] { return note_state().state == want; }, scaled(60s),
                                      50ms);
  };
  // A long session for the first member: while it stalls below, only its rejoin (not its
  // session expiring under a loaded machine) may end PreparingRebalance.
  auto first_config = member_config(group);
  first_config.session_timeout_ms(45000).heartbeat_interval_ms(1000);
  Member a(first_config, topic);
  ASSERT_TRUE(lessons::await_split({&a}, 2, 60s));
  ASSERT_TRUE(await_state("Stable")) << joined(states);

  // The coordinator is the leader of the group's partition of __consumer_offsets.
  const int offsets_partitions = static_cast<int>(
      admin.describe_topics({"__consumer_offsets"}, scaled(10s)).at(0).partitions.size());
  ASSERT_EQ(offsets_partitions, 10) << "offsets.topic.num.partitions in node.properties";
  auto coordinator_of = [&](const std::string& g) {
    return admin.describe_group(g, scaled(10s)).coordinator_id;
  };
  auto leader_for = [&](const std::string& g) {
    return klab::testing::partition_info("__consumer_offsets",
                                         offsets_partition_of(g, offsets_partitions))
        .leader;
  };
  EXPECT_EQ(coordinator_of(group), leader_for(group));
  // More group ids, until their partitions are led by at least two brokers: a coordinator
  // picked any other way would miss some of them.
  std::set<int> leaders;
  for (int i = 0; i < 12; ++i) {
    auto other = group + "-" + std::to_string(i);
    // A group exists (and has a coordinator to describe) once it committed an offset.
    admin.alter_group_offsets(other, {{.topic = topic, .partition = 0, .offset = 0}}, scaled(30s));
    EXPECT_EQ(coordinator_of(other), leader_for(other)) << other;
    leaders.insert(leader_for(other));
  }
  EXPECT_GE(leaders.size(), 2u) << "the offsets partitions are spread over the brokers";

  // A second member joins while the first does not poll: the coordinator holds the group in
  // PreparingRebalance until every known member rejoined.
  a.stall(true);
  {
    Member b(member_config(group), topic);
    ASSERT_TRUE(await_state("PreparingRebalance"))
        << joined(states) << "; the joiner saw " << b.events().size() << " rebalance event(s), "
        << b.errors().size() << " error(s)"
        << (b.errors().empty() ? "" : ", first: " + b.errors().front().to_string());
    EXPECT_EQ(note_state().state, "PreparingRebalance") << "still waiting for the first member";
    a.stall(false);
    ASSERT_TRUE(lessons::await_split({&a, &b}, 2, 60s));
    ASSERT_TRUE(await_state("Stable")) << joined(states);
    EXPECT_EQ(note_state().members.size(), 2u);
  }
  a.consumer().commit_sync();
  a.leave();
  ASSERT_TRUE(await_state("Empty")) << "no members, offsets kept: " << joined(states);
  std::cout << "group states seen: " << joined(states) << '\n';
  // Stable, then PreparingRebalance (CompletingRebalance may pass between two looks), then
  // Stable again, then Empty.
  std::vector<std::string> milestones;
  for (const auto& st : states)
    if (st != "CompletingRebalance") milestones.push_back(st);
  EXPECT_EQ(joined(milestones), "Stable -> PreparingRebalance -> Stable -> Empty");
}

}  // namespace
