// 5.2.4 Event sourcing: a bank account whose balance is never stored, only the Deposited and
// Withdrawn events keyed by account id. The state is a fold of its events; snapshots on a
// compacted topic let a rebuild replay only the tail.
#include <gtest/gtest.h>

#include <cstdint>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/eventsourcing/event_sourced_repository.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace bank {

struct Account {
  std::int64_t balance = 0;
  std::int64_t version = 0;  // events applied: the optimistic-lock number of the aggregate
  friend bool operator==(const Account&, const Account&) = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Account, balance, version)

struct AccountEvent {
  std::string type;  // "Deposited" or "Withdrawn"
  std::int64_t amount = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AccountEvent, type, amount)

// The fold: no checks here, an event is a fact that already happened.
Account apply(Account account, const AccountEvent& event) {
  account.balance += event.type == "Deposited" ? event.amount : -event.amount;
  ++account.version;
  return account;
}

using Repository = klab::framework::EventSourcedRepository<Account, AccountEvent>;
using Aggregate = klab::framework::Aggregate<Account>;

// The command side: validates a command against the live state and, only if it is allowed,
// appends the event that records it.
class AccountService {
 public:
  explicit AccountService(Repository& repository) : repository_(repository) {}

  void deposit(const std::string& id, std::int64_t amount) {
    live_[id] = repository_.append(id, live_[id], {"Deposited", amount});
  }
  /// false (and no event) when the balance does not cover it.
  bool withdraw(const std::string& id, std::int64_t amount) {
    if (live_[id].state.balance < amount) return false;
    live_[id] = repository_.append(id, live_[id], {"Withdrawn", amount});
    return true;
  }
  const Aggregate& live(const std::string& id) { return live_[id]; }
  const std::map<std::string, Aggregate>& all() const { return live_; }

 private:
  Repository& repository_;
  std::map<std::string, Aggregate> live_;
};

}  // namespace bank

namespace {
using namespace std::chrono_literals;
using bank::Account;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::end_offset;
using klab::testing::unique_name;

struct Topics {
  std::string events = unique_name("account-events");
  std::string snapshots = unique_name("account-snapshots");

  explicit Topics(int event_partitions) {
    klab::testing::create_topic(events, event_partitions, 1,
                                klab::framework::event_topic_configs());
    klab::testing::create_topic(snapshots, 1, 1, klab::framework::snapshot_topic_configs());
  }
  bank::Repository repository() {
    return bank::Repository(cluster().client_config(), events, snapshots, Account{}, bank::apply,
                            scaled(30s));
  }
};

TEST(P5EventSourcing, StateRebuiltFromEventsEqualsTheLiveState) {
  KLAB_ROADMAP("5.2.4");
  Topics topics(3);
  auto repository = topics.repository();
  bank::AccountService service(repository);

  // 3 accounts, 60 commands; every withdrawal of more than the balance is refused.
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 60; ++i) {
    auto id = "acct-" + std::to_string(i % 3);
    if (i % 4 == 3) {
      if (service.withdraw(id, 35 + 10 * (i % 5)))
        ++accepted;
      else
        ++rejected;
    } else {
      service.deposit(id, 10 + i);
      ++accepted;
    }
  }
  auto rebuilt = repository.rebuild_all();
  std::cout << "[5.2.4] commands=60 events=" << accepted << " rejected=" << rejected << '\n';
  ASSERT_EQ(rebuilt.size(), 3u);
  std::size_t versions = 0;
  for (const auto& [id, live] : service.all()) {
    std::cout << "[5.2.4] " << id << " live balance=" << live.state.balance
              << " version=" << live.state.version
              << " | rebuilt balance=" << rebuilt[id].state.balance
              << " version=" << rebuilt[id].state.version << '\n';
    EXPECT_EQ(rebuilt[id].state, live.state) << id;
    EXPECT_EQ(repository.rebuild(id).state, live.state) << id << " alone";
    // The rebuild stands at the partition's end, past other accounts' later events too.
    EXPECT_GE(rebuilt[id].offset, live.offset) << id;
    versions += live.state.version;
  }
  EXPECT_GT(rejected, 0) << "the experiment must contain refused withdrawals";
  EXPECT_EQ(versions, static_cast<std::size_t>(accepted)) << "one event per accepted command";
  EXPECT_EQ(rebuilt.begin()->second.events_read, static_cast<std::size_t>(accepted));
}

TEST(P5EventSourcing, WithdrawalBeyondTheBalanceIsRejectedAndWritesNoEvent) {
  KLAB_ROADMAP("5.2.4");
  Topics topics(1);
  auto repository = topics.repository();
  bank::AccountService service(repository);
  service.deposit("alice", 100);
  auto before = end_offset(topics.events, 0);

  EXPECT_FALSE(service.withdraw("alice", 150));
  EXPECT_EQ(end_offset(topics.events, 0), before) << "a refused command leaves no trace";
  EXPECT_TRUE(service.withdraw("alice", 100));
  EXPECT_EQ(end_offset(topics.events, 0), before + 1);

  auto rebuilt = repository.rebuild("alice");
  EXPECT_EQ(rebuilt.state, (Account{.balance = 0, .version = 2}));
  EXPECT_EQ(rebuilt.events_applied, 2u);
}

TEST(P5EventSourcing, SnapshotPlusTailEqualsFullReplayAndReadsFewerEvents) {
  KLAB_ROADMAP("5.2.4");
  Topics topics(1);
  auto repository = topics.repository();
  bank::AccountService service(repository);
  for (int i = 0; i < 40; ++i) service.deposit("alice", 5);
  repository.save_snapshot("alice", service.live("alice"));  // covers offsets 0..39
  for (int i = 0; i < 10; ++i) service.deposit("alice", 1);
  for (int i = 0; i < 5; ++i) service.deposit("bob", 7);  // same partition, other aggregate

  auto full = repository.rebuild("alice");
  auto fast = repository.rebuild_from_snapshot("alice");
  std::cout << "[5.2.4] full replay: read=" << full.events_read
            << " applied=" << full.events_applied << " | snapshot+tail: read=" << fast.events_read
            << " applied=" << fast.events_applied << " balance=" << fast.state.balance
            << " version=" << fast.state.version << '\n';
  EXPECT_TRUE(fast.from_snapshot);
  EXPECT_EQ(fast.state, full.state);
  EXPECT_EQ(fast.state, service.live("alice").state);
  EXPECT_EQ(full.events_read, 55u) << "every event of the partition";
  EXPECT_EQ(fast.events_read, 15u) << "only what follows the snapshot's offset 40";
  EXPECT_EQ(fast.events_applied, 10u);
  EXPECT_EQ(fast.offset, full.offset);

  // No snapshot: rebuild_from_snapshot falls back to the full replay.
  auto bob = repository.rebuild_from_snapshot("bob");
  EXPECT_FALSE(bob.from_snapshot);
  EXPECT_EQ(bob.state, (Account{.balance = 35, .version = 5}));
}

TEST(P5EventSourcing, SnapshotTopicIsSetToCompactionAndTheLatestSnapshotWins) {
  KLAB_ROADMAP("5.2.4");
  Topics topics(1);
  auto repository = topics.repository();
  bank::AccountService service(repository);

  std::map<std::string, klab::client::ConfigEntry> config;
  for (auto& e : klab::client::Admin(cluster().client_config())
                     .describe_topic_config(topics.snapshots, scaled(10s)))
    config[e.name] = e;
  EXPECT_EQ(config["cleanup.policy"].value, "compact");
  EXPECT_EQ(config["cleanup.policy"].source, "DYNAMIC_TOPIC_CONFIG");

  for (int round = 1; round <= 3; ++round) {
    service.deposit("carol", 10);
    repository.save_snapshot("carol", service.live("carol"));
  }
  auto snapshot = repository.load_snapshot("carol");
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->state, (Account{.balance = 30, .version = 3})) << "the last of 3 snapshots";
  EXPECT_EQ(snapshot->offset, 3) << "it covers offsets 0..2 of the event topic";
  EXPECT_EQ(repository.load_snapshot("nobody"), std::nullopt);

  // An aggregate without events has nothing to snapshot.
  EXPECT_THROW(repository.save_snapshot("dave", bank::Aggregate{}), klab::KafkaException);
}

}  // namespace
