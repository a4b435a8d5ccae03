// Practice system 5 end to end: PostgreSQL (logical WAL) -> Debezium on a real Kafka Connect
// worker -> one topic per table -> the materializer -> a replica database and a derived view.
// The snapshot, inserts, updates with before-images, deletes with tombstones, a worker killed
// and restarted while the source keeps changing, and the replication slot dropped at the end.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <set>

#include "klab/apps/app_support.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "shop_schema.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .postgres = true);

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::read_text;
using klab::testing::unique_name;

struct Databases {
  std::string base, source, replica;
  std::string one(const std::string& db, const std::string& sql) const {
    pqxx::connection c(klab::apps::database_conninfo(base, db));
    pqxx::nontransaction n(c);
    auto r = n.exec(sql);
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].c_str();
  }
  void run(const std::string& sql) const {
    pqxx::connection c(klab::apps::database_conninfo(base, source));
    pqxx::work w(c);
    w.exec(sql);
    w.commit();
  }
  std::string checksum(const std::string& db, const std::string& table) const {
    std::string sql = klab::apps::cdc::kChecksumSql;
    sql.replace(sql.find("{table}"), 7, table);
    return one(db, sql);
  }
  std::string totals_of_source() const {
    return one(source, std::string("SELECT md5(string_agg(t::text, '|')) FROM (") +
                           klab::apps::cdc::kTotalsFromOrdersSql + ") t");
  }
  std::string totals_of_replica() const {
    return one(replica,
               "SELECT md5(string_agg(t::text, '|')) FROM (SELECT customer_id, name, order_count, "
               "total_cents FROM customer_totals ORDER BY customer_id) t");
  }
  bool in_sync() const {
    try {
      return checksum(source, "customers") == checksum(replica, "customers") &&
             checksum(source, "orders") == checksum(replica, "orders") &&
             totals_of_source() == totals_of_replica();
    } catch (const std::exception&) {
      return false;  // the replica's tables do not exist yet
    }
  }
};

TEST(CdcApp, TheReplicaFollowsSnapshotInsertsUpdatesAndDeletesAcrossAConnectWorkerCrash) {
  KLAB_ROADMAP("project.5");
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  const auto dir = fs::temp_directory_path() / unique_name("cdc");
  fs::create_directories(dir);
  const auto tag = std::to_string(::getpid());
  Databases db{cluster().postgres(), "shop_" + tag, "replica_" + tag};
  const std::string prefix = "cdc" + tag, connector = "shop-cdc-" + tag;
  const std::string slot = "shop_cdc_" + tag;
  auto port = klab::cluster::find_free_port_block(1, 30000).value();
  klab::cluster::KafkaConnect connect(klab::cluster::LabPaths::discover(),
                                      {.bootstrap = cluster().bootstrap(),
                                       .dir = dir / "connect",
                                       .rest_port = port,
                                       .group_id = "connect-" + tag});
  connect.start(/*die_with_parent=*/true);
  auto setup = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> argv{CDC_SETUP_PATH,   "--postgres",        db.base,
                                  "--database",     db.source,           "--topic-prefix",
                                  prefix,           "--connector",       connector,
                                  "--connect-port", std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return klab::cluster::run_command(argv, scaled(120s));
  };
  auto ready = setup({"--customers", "20", "--orders", "100"});
  ASSERT_EQ(ready.exit_code, 0) << ready.output << read_text(connect.log_file());

  auto materializer = klab::testing::start_logged(
      dir, "materializer.log",
      {CDC_MATERIALIZER_PATH, "--topic-prefix", prefix, "--postgres", db.base, "--database",
       db.replica, "--group", "materializer-" + tag, "--session-timeout-ms", "6000"});
  // 1. The initial snapshot: every row arrives as a read ("r") event.
  ASSERT_TRUE(await_until([&] { return db.in_sync(); }, scaled(120s)))
      << read_text(dir / "materializer.log");
  EXPECT_EQ(db.one(db.replica, "SELECT count(*) FROM orders"), "100");

  // 2. Live changes: inserts, updates (a customer's tier, orders' amounts), deletes.
  db.run(
      "INSERT INTO orders SELECT g, 1 + g % 20, 250, 'placed' FROM generate_series(101, 150) g;"
      "UPDATE customers SET tier = 'platinum' WHERE id = 5;"
      "UPDATE orders SET amount_cents = amount_cents + 1, status = 'paid' WHERE id <= 30;"
      "DELETE FROM orders WHERE id BETWEEN 141 AND 150;");
  ASSERT_TRUE(await_until([&] { return db.in_sync(); }, scaled(60s)));

  // 3. The worker dies (kill -9) while the source keeps changing; a new one resumes from the
  // replication slot's confirmed position: nothing written meanwhile may be missing. First the
  // worker must have committed a streaming position (offset.flush.interval.ms = 1 s): killed
  // before that, its last committed offset is mid-snapshot, the new worker snapshots again, and
  // a snapshot carries no deletes (a run that killed at once kept a deleted row in the replica).
  ASSERT_TRUE(await_until(
      [&] {
        auto o = connect.offsets(connector);
        return o.find("lsn") != std::string::npos && o.find("snapshot") == std::string::npos;
      },
      scaled(30s)))
      << connect.offsets(connector);
  ASSERT_TRUE(connect.kill());
  db.run(
      "INSERT INTO orders SELECT g, 1 + g % 20, 999, 'placed' FROM generate_series(151, 180) g;"
      "DELETE FROM customers WHERE id = 20;"
      "UPDATE orders SET status = 'shipped' WHERE id BETWEEN 31 AND 40;");
  connect.start(/*die_with_parent=*/true);
  connect.await_running(connector, scaled(120s));
  ASSERT_TRUE(await_until([&] { return db.in_sync(); }, scaled(120s)))
      << read_text(dir / "materializer.log");
  EXPECT_EQ(db.one(db.replica, "SELECT count(*) FROM orders"), "170");
  EXPECT_EQ(db.one(db.replica, "SELECT tier FROM customers WHERE id = 5"), "platinum");
  EXPECT_EQ(db.one(db.replica, "SELECT count(*) FROM customers WHERE id = 20"), "0");
  EXPECT_EQ(db.one(db.replica, "SELECT total_cents FROM customer_totals WHERE customer_id = 5"),
            db.one(db.source, "SELECT sum(amount_cents) FROM orders WHERE customer_id = 5"));

  // 4. The events themselves: before-images under REPLICA IDENTITY FULL, tombstones.
  auto events = klab::testing::consume_until(
      cluster().client_config(), prefix + ".public.orders", [](const auto&) { return false; },
      scaled(3s));
  // Connect is at-least-once: a worker that dies re-sends what it sent after its last offset
  // commit. Counted once per change (operation, row, WAL position); the replay counted apart.
  std::map<std::string, int> distinct;
  std::set<std::string> seen, tombstone_keys;
  int full_before = 0, updates_seen = 0, replayed = 0;
  for (const auto& r : events) {
    if (!r.value()) {
      tombstone_keys.insert(std::string(r.key().value_or("")));
      continue;
    }
    auto e = nlohmann::json::parse(*r.value());
    std::string op = e["op"];
    const auto& row = op == "d" ? e["before"] : e["after"];
    auto id = op + "/" + row["id"].dump() + "@" + e["source"]["lsn"].dump();
    if (!seen.insert(id).second) {
      ++replayed;
      continue;
    }
    ++distinct[op];
    if (op == "u") {
      ++updates_seen;
      if (e["before"].is_object() && e["before"].contains("amount_cents") &&
          e["before"].contains("status"))
        ++full_before;
    }
    if (op == "u" && e["after"]["id"] == 1) {
      EXPECT_EQ(e["before"]["status"], "placed");
      EXPECT_EQ(e["after"]["status"], "paid");
      EXPECT_EQ(e["after"]["amount_cents"].get<long>(),
                e["before"]["amount_cents"].get<long>() + 1);
    }
  }
  std::cout << "orders topic: " << distinct["r"] << " snapshot reads, " << distinct["c"]
            << " inserts, " << distinct["u"] << " updates (" << full_before
            << " with the whole old row), " << distinct["d"] << " deletes, "
            << tombstone_keys.size() << " keys with a tombstone; " << replayed
            << " events sent again after the worker crash\n";
  EXPECT_EQ(distinct["r"], 100);
  EXPECT_EQ(distinct["c"], 80) << "50 before the crash, 30 while the worker was down";
  EXPECT_EQ(distinct["u"], 40);
  EXPECT_EQ(full_before, updates_seen) << "REPLICA IDENTITY FULL: every update has its old row";
  EXPECT_EQ(distinct["d"], 10);
  EXPECT_EQ(tombstone_keys.size(), 10u) << "each delete is followed by a tombstone for compaction";

  // 5. Teardown: connector deleted, its slot and publication dropped.
  materializer.stop(scaled(30s));
  auto gone = setup({"--teardown"});
  EXPECT_EQ(gone.exit_code, 0) << gone.output;
  EXPECT_EQ(db.one(db.source,
                   "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"),
            "0");
  connect.stop();
}

}  // namespace
