// 8.1.4 Disaster recovery with MirrorMaker 2: the primary cluster replicated to a backup
// cluster, consumer group offsets translated and synced; then the whole primary dies (kill -9)
// and the consumers carry on from the backup. The ledger says what was lost and how many
// records the failover made a consumer read twice.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/mirror_maker.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/extra_cluster.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::DeliveryLedger;
using klab::testing::ExtraCluster;

constexpr int records = 2000;
constexpr int partitions = 3;

std::int64_t end_offsets_sum(klab::client::Admin& admin, const std::string& topic) {
  std::int64_t sum = 0;
  for (int p = 0; p < partitions; ++p) sum += admin.watermark_offsets(topic, p, 10s).high;
  return sum;
}

std::int64_t committed_sum(klab::client::Admin& admin, const std::string& group) {
  std::int64_t sum = 0;
  for (const auto& o : admin.committed_offsets(group, {}, 10s))
    if (o.offset >= 0) sum += o.offset;
  return sum;
}

// Reads with `config` (a group member) until `count` records came or `until` says stop,
// committing what it read; appends what it read to `read`.
void consume(klab::client::Config config, const std::string& topic,
             std::vector<DeliveryLedger::Consumed>& read, const std::function<bool()>& done) {
  klab::client::Consumer consumer(config.set("enable.auto.commit", "false"));
  consumer.subscribe({topic});
  auto deadline = std::chrono::steady_clock::now() + scaled(120s);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    auto r = consumer.poll(200ms);
    if (!r || r->error()) continue;
    read.push_back({r->partition(), r->offset(),
                    r->key() ? std::optional<std::string>(*r->key()) : std::nullopt,
                    std::string(r->value().value_or(""))});
  }
  consumer.commit_sync();
}

TEST(P8DisasterRecovery, AfterThePrimaryDiesConsumersFailOverToTheReplicaAtTranslatedOffsets) {
  KLAB_ROADMAP("8.1.4");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // starts two clusters and MirrorMaker from the lab's install
  ExtraCluster primary, backup;
  const std::string topic = "dr.orders", group = "dr.billing";
  klab::client::Admin source(primary.client_config());
  source.create_topic({.name = topic, .partitions = partitions, .replication_factor = 1},
                      scaled(30s));

  klab::cluster::MirrorMaker mirror(klab::cluster::LabPaths::discover(),
                                    {.source_bootstrap = primary.bootstrap(),
                                     .target_bootstrap = backup.bootstrap(),
                                     .topics = "dr\\..*",
                                     .groups = "dr\\..*",
                                     .dir = backup.dir() / "mirror-maker"});
  mirror.start(/*die_with_parent=*/true);
  std::cout << "MirrorMaker 2 log: " << mirror.log_file() << "\n";

  DeliveryLedger ledger(topic);
  {
    klab::client::Producer producer(primary.client_config().acks("all").enable_idempotence(true));
    for (int i = 0; i < records; ++i)
      ASSERT_FALSE(ledger.send(producer, "customer-" + std::to_string(i % 50)));
    ASSERT_FALSE(producer.flush(scaled(60s)));
  }

  // The billing service reads about half on the primary and commits.
  std::vector<DeliveryLedger::Consumed> read;
  auto member = primary.client_config().group_id(group);
  member.set("auto.offset.reset", "earliest");
  consume(member, topic, read, [&] { return read.size() >= records / 2; });
  const auto read_on_primary = read.size();

  // Replication caught up: every record on the backup and the group's offsets synced there.
  klab::client::Admin target(backup.client_config());
  const auto replica = mirror.remote_topic(topic);
  std::int64_t synced = -1;
  bool caught_up = klab::cluster::await_until(
      [&] {
        try {
          if (end_offsets_sum(target, replica) < records) return false;
          auto now = committed_sum(target, group);
          bool stable = now > 0 && now == synced;
          synced = now;
          return stable;
        } catch (const klab::KafkaException&) {
          return false;  // the replica topic or the group is not there yet
        }
      },
      scaled(180s), 2s);
  ASSERT_TRUE(caught_up) << "MirrorMaker did not replicate everything in time: see "
                         << mirror.log_file();
  auto primary_committed = committed_sum(source, group);

  // The disaster: the whole primary gone at once, no clean shutdown.
  primary.local().kill_node(1);

  // Fail over: the same group.id on the backup, subscribed to the replica topic.
  auto failover = backup.client_config().group_id(group);
  failover.set("auto.offset.reset", "earliest");
  klab::client::Admin backup_admin(backup.client_config());
  auto replica_end = end_offsets_sum(backup_admin, replica);
  std::size_t before_failover = read.size();
  consume(failover, replica, read, [&] {
    return static_cast<std::int64_t>(read.size() - before_failover) >= replica_end - synced;
  });
  mirror.stop();

  auto report = ledger.compute(read);
  std::cout << "read on the primary " << read_on_primary << " (committed " << primary_committed
            << "), synced offsets on the backup " << synced << ", read after failover "
            << read.size() - before_failover << "\n"
            << report << "\n";
  EXPECT_EQ(report.acknowledged, static_cast<std::size_t>(records));
  EXPECT_EQ(report.lost, 0u) << "everything acknowledged had been replicated before the crash";
  EXPECT_EQ(report.consumed_unique, static_cast<std::size_t>(records));
  EXPECT_GT(synced, 0) << "the group resumed at translated offsets, not from the beginning";
  EXPECT_LE(synced, primary_committed) << "translation never skips ahead of the group";
  EXPECT_EQ(report.duplicates, static_cast<std::size_t>(primary_committed - synced))
      << "the failover re-reads exactly what the translated offsets are behind";
  EXPECT_LT(report.duplicates, read_on_primary) << "bounded: fewer than a restart from zero";
}

}  // namespace
