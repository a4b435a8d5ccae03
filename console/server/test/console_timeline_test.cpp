// The group page's rebalance timeline (7.3.2): a member joining a running group shows up as a
// change that names it and the partitions that moved to it; leaving shows the reverse.
#include <gtest/gtest.h>

#include <thread>

#include "console_test_support.hpp"
#include "klab/client/consumer.hpp"
#include "klab/testing/polling_member.hpp"
#include "klab/testing/records.hpp"

namespace {

using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::console::testing::json;
using klab::testing::PollingMember;

klab::client::Config member_config(const std::string& group) {
  return klab::testing::consumer_config(klab::testing::cluster().client_config(), group);
}

// The index of the timeline entry whose "joined" (or "left") names `member`, or -1.
int change_naming(const json& timeline, const std::string& key, const std::string& member) {
  for (std::size_t i = 0; i < timeline.size(); ++i)
    for (const auto& m : timeline[i].value(key, json::array()))
      if (m == member) return static_cast<int>(i);
  return -1;
}

// Whether an entry from `first` on moved a partition with `side` ("to" / "from") == member.
// (A refresh may catch the rebalance half-way, so the move can come an entry later.)
bool moved_with(const json& timeline, int first, const std::string& side,
                const std::string& member) {
  for (std::size_t i = first; i < timeline.size(); ++i)
    for (const auto& mv : timeline[i].value("moved", json::array()))
      if (mv.value(side, "") == member) return true;
  return false;
}

TEST(ConsoleTimeline, AJoiningAndALeavingMemberAreChangesNamingThePartitionsThatMoved) {
  KLAB_ROADMAP("7.3.2");
  klab::console::testing::TempDir web;
  klab::console::testing::TestConsole console(klab::console::testing::test_options(web));
  auto topic = klab::testing::unique_name("timeline");
  auto group = klab::testing::unique_name("timeline-g");
  ASSERT_EQ(console.post("/api/topics", json{{"name", topic}, {"partitions", 4}}).status, 201);

  PollingMember first(member_config(group), topic);
  json shown;
  auto group_has = [&](std::size_t members) {
    shown = console.get("/api/groups/" + group).body;
    return shown.value("state", "") == "Stable" &&
           shown.value("members", json::array()).size() == members;
  };
  ASSERT_TRUE(await_until([&] { return group_has(1); }, scaled(60s), 200ms)) << shown.dump(2);
  std::string second_id;
  {
    PollingMember second(member_config(group), topic);
    ASSERT_TRUE(await_until([&] { return group_has(2); }, scaled(60s), 200ms)) << shown.dump(2);
    second_id = second.member_id();
    ASSERT_FALSE(second_id.empty());
    const auto& timeline = shown["timeline"];
    auto joined = change_naming(timeline, "joined", second_id);
    ASSERT_GE(joined, 1) << "the join is a change: " << timeline.dump(2);
    EXPECT_TRUE(moved_with(timeline, joined, "to", second_id))
        << "partitions moved to the new member: " << timeline.dump(2);
  }
  ASSERT_TRUE(await_until(
      [&] { return group_has(1) && change_naming(shown["timeline"], "left", second_id) >= 0; },
      scaled(60s), 200ms))
      << shown["timeline"].dump(2);
  const auto& timeline = shown["timeline"];
  auto left = change_naming(timeline, "left", second_id);
  EXPECT_TRUE(moved_with(timeline, left, "from", second_id))
      << "its partitions went with it: " << timeline.dump(2);
}

}  // namespace
