// 7.3.2 A frozen member (a long GC pause, a stopped VM, SIGSTOP here): it sends no heartbeat, so
// once session.timeout.ms passes the coordinator takes it out and gives its partitions to the
// others; thawed, it finds itself out of the group and joins again - two rebalances for one
// pause. A longer session.timeout.ms rides the same pause out without any, at the price of
// noticing a really dead member later.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/polling_member.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

struct FreezeOutcome {
  std::size_t fewest_members = 0;  ///< the smallest member count seen during the pause
  int rebalance_events = 0;        ///< what the healthy member lived through, pause to settle
};

// Two members, the process one frozen for `pause`, then thawed; the group watched throughout.
FreezeOutcome freeze_one_member(int session_timeout_ms, std::chrono::milliseconds pause) {
  auto topic = unique_name("frozen");
  auto group = unique_name("frozen-g");
  klab::testing::create_topic(topic, 4, 1);
  klab::client::Admin admin(cluster().client_config());
  auto members = [&] { return admin.describe_group(group, scaled(10s)); };
  auto settled = [&] {
    auto g = members();
    return g.state == "Stable" && g.members.size() == 2;
  };

  // The in-process member that stays healthy, counting the rebalance events it lives through.
  auto config = klab::testing::consumer_config(cluster().client_config(), group);
  config.session_timeout_ms(session_timeout_ms).heartbeat_interval_ms(1000);
  klab::testing::PollingMember healthy(config, topic);
  auto dir = std::filesystem::temp_directory_path() / unique_name("member");
  std::filesystem::create_directories(dir);
  klab::cluster::ManagedProcess process(dir / "member.pid", "p7_member_process");
  auto pid = process.start(
      {P7_MEMBER_PROCESS, cluster().bootstrap(), group, topic, std::to_string(session_timeout_ms)},
      {.log_file = dir / "member.log", .die_with_parent = true});
  EXPECT_TRUE(klab::cluster::await_until(settled, scaled(60s), 200ms)) << "two members, Stable";
  EXPECT_TRUE(healthy.await_settled(2, 1s, 60s)) << "half of the 4 partitions each";
  int before = healthy.rebalance_events();

  ::kill(pid, SIGSTOP);
  FreezeOutcome out{.fewest_members = 2};
  for (auto until = std::chrono::steady_clock::now() + pause;
       std::chrono::steady_clock::now() < until;) {
    out.fewest_members = std::min(out.fewest_members, members().members.size());
    std::this_thread::sleep_for(250ms);
  }
  ::kill(pid, SIGCONT);
  EXPECT_TRUE(klab::cluster::await_until(settled, scaled(60s), 200ms)) << "both members again";
  EXPECT_TRUE(healthy.await_settled(2, 1s, 60s));
  out.rebalance_events = healthy.rebalance_events() - before;
  process.stop(10s);
  std::filesystem::remove_all(dir);
  return out;
}

class P7FrozenMember : public klab::testing::ChaosTest<1> {};

TEST_F(P7FrozenMember, FrozenPastSessionTimeoutTheMemberIsRemovedAndRejoinsTwoRebalances) {
  KLAB_ROADMAP("7.3.2");
  // Frozen for 15 s against a 6 s session: the coordinator gives up on it.
  auto out = freeze_one_member(6'000, 15s);
  std::cout << "session.timeout.ms=6000, member frozen 15 s: as few as " << out.fewest_members
            << " member(s); the healthy member saw " << out.rebalance_events
            << " rebalance event(s)\n";
  EXPECT_EQ(out.fewest_members, 1u) << "the frozen member was taken out";
  // Eager (range): taking all 4 partitions is a revoke and an assign, giving 2 back on the
  // thaw is another pair.
  EXPECT_GE(out.rebalance_events, 4);
}

TEST_F(P7FrozenMember, ASessionTimeoutLongerThanThePauseRidesItOutWithoutARebalance) {
  KLAB_ROADMAP("7.3.2");
  auto out = freeze_one_member(45'000, 15s);
  std::cout << "session.timeout.ms=45000, member frozen 15 s: as few as " << out.fewest_members
            << " member(s); the healthy member saw " << out.rebalance_events
            << " rebalance event(s)\n";
  EXPECT_EQ(out.fewest_members, 2u);
  EXPECT_EQ(out.rebalance_events, 0);
}

}  // namespace
