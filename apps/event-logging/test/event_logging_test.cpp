// Practice system 1 end to end: three services log through the EventLogger, the collector
// (its own process) stores into the lab's PostgreSQL and is killed with SIGKILL between storing
// a batch and committing its offsets. Every event must end up stored exactly once, each
// service's events in the order they were logged.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>

#include "event_logger.hpp"
#include "event_store.hpp"
#include "klab/apps/app_support.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1, .postgres = true);

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::read_text;
using klab::testing::unique_name;
namespace logging = klab::apps::logging;

struct Run {
  fs::path dir;
  std::string topic, group, database, db_base;
};

Run prepare(const std::string& purpose) {
  // The programs find the cluster the way every klab program does.
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  Run r;
  r.dir = fs::temp_directory_path() / unique_name(purpose);
  fs::create_directories(r.dir);
  r.topic = "app.events-" + unique_name(purpose);
  r.group = unique_name(purpose + "-collector");
  r.database = "events_" + std::to_string(::getpid()) + "_" + purpose;
  r.db_base = cluster().postgres();
  return r;
}

klab::cluster::ManagedProcess start_collector(const Run& run, const std::string& log,
                                              std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{EVENT_COLLECTOR_PATH, "--topic", run.topic, "--group", run.group,
                                "--postgres", run.db_base, "--database", run.database,
                                // A killed collector's partitions move after 6 s, not 45.
                                "--session-timeout-ms", "6000"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return klab::testing::start_logged(run.dir, log, argv);
}

// Sum of one counter over the collector's per-batch lines.
long counted(const fs::path& log, const std::string& counter) {
  std::regex re("\"" + counter + "\":(\\d+)");
  long sum = 0;
  auto text = read_text(log);
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    sum += std::stol((*it)[1]);
  return sum;
}

long stored_rows(const Run& run) {
  try {
    pqxx::connection c(klab::apps::database_conninfo(run.db_base, run.database));
    pqxx::nontransaction n(c);
    return n.exec("SELECT count(*) FROM events")[0][0].as<long>();
  } catch (const std::exception&) {
    return -1;  // not created yet
  }
}

TEST(EventLoggingApp, EveryEventIsStoredOnceInServiceOrderAcrossACollectorKilledMidBatch) {
  KLAB_ROADMAP("project.1");
  auto run = prepare("crash");
  // Slow collector: each stored batch waits 1.5 s before its offsets are committed.
  auto first = start_collector(run, "collector-1.log", {"--pause-after-store-ms", "1500"});

  const std::vector<std::string> services{"checkout", "search", "payments"};
  constexpr int kPerService = 1000;
  std::map<std::string, std::vector<std::string>> sent_ids;
  {
    std::vector<std::unique_ptr<logging::EventLogger>> loggers;
    for (const auto& s : services)
      loggers.push_back(std::make_unique<logging::EventLogger>(
          cluster().client_config(),
          logging::EventLoggerOptions{.topic = run.topic, .service = s, .instance = "i1"}));
    // The collector creates the topic: wait for it before logging.
    ASSERT_TRUE(await_until(
        [&] {
          return read_text(run.dir / "collector-1.log").find("collecting") != std::string::npos;
        },
        scaled(60s)))
        << read_text(run.dir / "collector-1.log");
    for (int i = 0; i < kPerService; ++i)
      for (std::size_t s = 0; s < services.size(); ++s) {
        std::string level = i % 50 == 49 ? "ERROR" : i % 10 == 9 ? "WARN" : "INFO";
        sent_ids[services[s]].push_back(
            loggers[s]->log(level, "step " + std::to_string(i), {{"i", i}}));
      }
    for (auto& l : loggers) {
      EXPECT_TRUE(l->flush(scaled(30s)));
      EXPECT_EQ(l->acknowledged(), static_cast<std::uint64_t>(kPerService));
      EXPECT_EQ(l->failed(), 0u);
    }
  }

  // Kill it inside the window: a batch is in the database, its offsets are not committed.
  ASSERT_TRUE(await_until(
      [&] {
        return read_text(run.dir / "collector-1.log").find("offsets not yet committed") !=
               std::string::npos;
      },
      scaled(60s)));
  ASSERT_TRUE(first.kill());
  const long before_restart = stored_rows(run);
  const long stored_by_first = counted(run.dir / "collector-1.log", "inserted");
  EXPECT_GT(before_restart, 0);
  EXPECT_LT(before_restart, 3 * kPerService) << "the crash must come before the end";

  auto second = start_collector(run, "collector-2.log");
  EXPECT_TRUE(await_until([&] { return stored_rows(run) >= 3 * kPerService; }, scaled(120s)))
      << stored_rows(run) << " rows";
  // Let it finish the batch in hand, so its last line is written.
  second.stop(scaled(30s));

  logging::EventStore store(klab::apps::database_conninfo(run.db_base, run.database));
  auto rows = store.all_in_storage_order();
  std::map<std::string, std::vector<std::int64_t>> sequences;
  std::set<std::string> stored_ids;
  for (const auto& e : rows) {
    sequences[e.service].push_back(e.sequence);
    stored_ids.insert(e.event_id);
  }
  std::size_t lost = 0;
  for (const auto& [s, ids] : sent_ids)
    for (const auto& id : ids) lost += stored_ids.count(id) == 0;
  const long redelivered = counted(run.dir / "collector-2.log", "duplicates");
  std::cout << "events logged and acknowledged: " << 3 * kPerService << "\n"
            << "rows stored: " << rows.size() << " (unique event ids " << stored_ids.size()
            << "), lost " << lost << "\n"
            << "stored before the kill: " << before_restart << " (collector 1 reported "
            << stored_by_first << ")\n"
            << "redelivered after the restart and skipped as duplicates: " << redelivered << "\n";
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(3 * kPerService));
  EXPECT_EQ(stored_ids.size(), rows.size()) << "no event stored twice";
  EXPECT_EQ(lost, 0u);
  EXPECT_GT(redelivered, 0) << "the batch stored but not committed came again after the crash";
  for (const auto& s : services) {
    const auto& seq = sequences[s];
    ASSERT_EQ(seq.size(), static_cast<std::size_t>(kPerService)) << s;
    for (std::size_t i = 0; i < seq.size(); ++i)
      ASSERT_EQ(seq[i], static_cast<std::int64_t>(i + 1))
          << s << ": storage order differs from logging order at row " << i;
  }
}

TEST(EventLoggingApp, SearchFiltersByServiceLevelAndTimeAndRefusesAnUnreadableTime) {
  KLAB_ROADMAP("project.1");
  auto run = prepare("search");
  auto collector = start_collector(run, "collector.log");
  ASSERT_TRUE(await_until(
      [&] { return read_text(run.dir / "collector.log").find("collecting") != std::string::npos; },
      scaled(60s)));
  // The emitter program: 100 events, every 10th WARN and every 50th ERROR.
  auto emitted =
      klab::cluster::run_command({EVENT_EMITTER_PATH, "--service", "inventory", "--topic",
                                  run.topic, "--count", "100", "--rate", "1000"},
                                 scaled(60s));
  ASSERT_EQ(emitted.exit_code, 0) << emitted.output;
  EXPECT_NE(emitted.output.find("acknowledged 100, failed 0"), std::string::npos) << emitted.output;
  ASSERT_TRUE(await_until([&] { return stored_rows(run) == 100; }, scaled(60s)));
  collector.stop(scaled(30s));

  auto search = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{EVENT_SEARCH_PATH, "--postgres", run.db_base, "--database",
                                  run.database,      "--json",     "--limit",   "1000"};
    argv.insert(argv.end(), args.begin(), args.end());
    return klab::cluster::run_command(argv, scaled(30s));
  };
  auto lines = [](const std::string& out) { return std::count(out.begin(), out.end(), '\n'); };
  auto all = search({"--service", "inventory"});
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(lines(all.output), 100);
  EXPECT_EQ(lines(search({"--service", "inventory", "--level", "WARN"}).output), 10)
      << "WARN and above: 8 WARN + 2 ERROR";
  EXPECT_EQ(lines(search({"--level", "ERROR"}).output), 2);
  EXPECT_EQ(lines(search({"--service", "nobody"}).output), 0);
  EXPECT_EQ(lines(search({"--from", "tomorrow"}).output), 0);
  EXPECT_EQ(lines(search({"--from", "yesterday", "--to", "tomorrow"}).output), 100);
  auto bad = search({"--from", "half past nine"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("cannot read a time"), std::string::npos) << bad.output;
  auto no_db = klab::cluster::run_command(
      {EVENT_SEARCH_PATH, "--postgres", "host=127.0.0.1 port=1 user=klab"}, scaled(30s));
  EXPECT_EQ(no_db.exit_code, 1);
  EXPECT_NE(no_db.output.find("klab app run event-logging"), std::string::npos) << no_db.output;
}

}  // namespace
