// The klab CLI end to end: each test drives the real binary against its own lab home, so the
// learner's own lab (if running) is never touched.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/postgres.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/cluster/target.hpp"
#include "lab_home.hpp"

namespace {
namespace fs = std::filesystem;
using klab::cli_test::free_port;
using klab::cli_test::HeldPort;
using klab::cli_test::LabHome;
using klab::cli_test::source_dir;
using namespace std::chrono_literals;

// Processes whose command line mentions `needle` (our JVMs carry their node folder in argv).
int processes_mentioning(const std::string& needle) {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    auto name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == getpid()) continue;
    auto cmd = klab::cluster::process_cmdline(pid);
    if (cmd.find(needle) != std::string::npos && cmd.find("kafka.Kafka") != std::string::npos) ++n;
  }
  return n;
}

class KlabCli : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("KLAB_BOOTSTRAP"); }  // these tests are about the lab itself
};

TEST_F(KlabCli, HelpListsEveryCommand) {
  LabHome home(false);
  auto r = home.run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (auto cmd : {"up", "down", "status", "reset", "topics", "produce", "consume", "groups",
                   "progress", "perf", "console", "doctor", "upgrade", "drill"})
    EXPECT_NE(r.output.find(cmd), std::string::npos) << cmd;
}

TEST_F(KlabCli, UnknownCommandAndBadNodeCountExitNonZero) {
  LabHome home(false);
  EXPECT_NE(home.run({"launch"}).exit_code, 0);
  auto r = home.run({"up", "--nodes", "2"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("1 or 3"), std::string::npos) << r.output;
}

TEST_F(KlabCli, UpExplainsMissingKafkaJars) {
  LabHome home(false);
  auto r = home.run({"up", "--nodes", "1", "--port", std::to_string(free_port())});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("jars are missing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("scripts/setup"), std::string::npos) << r.output;
}

TEST_F(KlabCli, UpExplainsMissingJava) {
  LabHome home;
  std::string cmd = "env -u JAVA_HOME PATH=/nonexistent KLAB_HOME='" + home.dir().string() + "' " +
                    KLAB_CLI_PATH + " up --nodes 1 2>&1";
  auto r = klab::cluster::run_command({"sh", "-c", cmd}, 60s);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("Java 17+ was not found"), std::string::npos) << r.output;
}

TEST_F(KlabCli, UpNamesThePortThatIsAlreadyInUse) {
  LabHome home;
  HeldPort held;
  auto port = held.port();
  auto r = home.run({"up", "--nodes", "1", "--port", std::to_string(port)});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("port " + std::to_string(port)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("already in use"), std::string::npos) << r.output;
}

TEST_F(KlabCli, RecordProducedBeforeDownIsConsumedAfterUpAndNoJvmIsLeft) {
  ::testing::Test::RecordProperty("roadmap", "1.2.1");
  LabHome home;
  auto port = std::to_string(free_port());
  auto console_port = std::to_string(free_port());
  auto up = home.run({"up", "--nodes", "1", "--port", port, "--console-port", console_port});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("bootstrap   127.0.0.1:" + port), std::string::npos) << up.output;
  EXPECT_NE(up.output.find("console     http://127.0.0.1:" + console_port), std::string::npos)
      << up.output;
  EXPECT_FALSE(klab::cluster::port_free(static_cast<std::uint16_t>(std::stoi(console_port))))
      << "the console listens after up";
  EXPECT_NE(up.output.find("server.log"), std::string::npos) << "says where the logs are";
  EXPECT_NE(up.output.find("Try next"), std::string::npos);

  auto again = home.run({"up"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;

  ASSERT_EQ(home.run({"topics", "create", "survivor", "--partitions", "1"}).exit_code, 0);
  auto produced = home.run({"produce", "survivor"}, "kept across restarts\n");
  ASSERT_EQ(produced.exit_code, 0) << produced.output;

  auto down = home.run({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(processes_mentioning(home.dir().string()), 0) << "down leaves no Kafka JVM behind";
  EXPECT_NE(down.output.find("Stopped the console"), std::string::npos) << down.output;
  EXPECT_TRUE(klab::cluster::port_free(static_cast<std::uint16_t>(std::stoi(console_port))));

  auto up2 = home.run({"up"});
  ASSERT_EQ(up2.exit_code, 0) << up2.output;
  EXPECT_NE(up2.output.find("console     http://127.0.0.1:" + console_port), std::string::npos)
      << "a plain `up` reuses the console's last port: " << up2.output;
  auto consumed =
      home.run({"consume", "survivor", "--from-beginning", "--max", "1", "--timeout-ms", "30000"});
  EXPECT_EQ(consumed.exit_code, 0) << consumed.output;
  EXPECT_NE(consumed.output.find("kept across restarts"), std::string::npos) << consumed.output;
  EXPECT_EQ(home.run({"down"}).exit_code, 0);
  EXPECT_EQ(processes_mentioning(home.dir().string()), 0);
}

TEST_F(KlabCli, NodeThatDiesDuringStartupShowsTheTailOfItsLog) {
  LabHome home;
  auto port = std::to_string(free_port());
  ASSERT_EQ(home.run({"up", "--nodes", "1", "--port", port, "--no-console"}).exit_code, 0);
  ASSERT_EQ(home.run({"down"}).exit_code, 0);
  // A node id in meta.properties that differs from the config makes the node refuse to start.
  auto meta = home.dir() / ".klab/state/cluster/node-1/data/meta.properties";
  std::ifstream in(meta);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  text = std::regex_replace(text, std::regex("node.id=.*"), "node.id=7");
  std::ofstream(meta) << text;
  auto r = home.run({"up", "--no-console"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("node 1 died during start-up"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Stored node id 7"), std::string::npos)
      << "the log tail shows Kafka's own complaint: " << r.output;
  EXPECT_EQ(processes_mentioning(home.dir().string()), 0);
}

TEST_F(KlabCli, ProduceRejectsIdempotentWithAcksOne) {
  LabHome home(false);  // no lab: the flags must fail before any connection
  auto r = home.run({"produce", "t", "--idempotent", "--acks", "1"}, "x\n");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--idempotent needs --acks all"), std::string::npos) << r.output;
  auto perf = home.run({"perf", "produce", "--idempotent", "--acks", "0"});
  EXPECT_EQ(perf.exit_code, 2) << perf.output;
  EXPECT_NE(perf.output.find("--idempotent needs --acks all"), std::string::npos) << perf.output;
}

TEST_F(KlabCli, ProduceRejectsUnknownCompression) {
  LabHome home(false);
  auto r = home.run({"produce", "t", "--compression", "brotli"}, "x\n");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--compression must be none, gzip, snappy, lz4 or zstd, not 'brotli'"),
            std::string::npos)
      << r.output;
  auto acks = home.run({"produce", "t", "--acks", "2"}, "x\n");
  EXPECT_EQ(acks.exit_code, 2) << acks.output;
  EXPECT_NE(acks.output.find("--acks must be 0, 1 or all"), std::string::npos) << acks.output;
}

TEST_F(KlabCli, ProduceNamesTheFlagWhoseValueLibrdkafkaRejects) {
  LabHome home(false);
  auto r = home.run({"produce", "t", "--linger-ms", "-1"}, "x\n");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--linger-ms -1:"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
}

TEST_F(KlabCli, PerfProduceHelpListsItsOptions) {
  LabHome home(false);
  auto r = home.run({"perf", "produce", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (auto opt :
       {"--topic", "--partitions", "--records", "--record-size", "--acks", "--compression",
        "--linger-ms", "--batch-size", "--idempotent", "--keys", "--json"})
    EXPECT_NE(r.output.find(opt), std::string::npos) << opt << " in " << r.output;
}

TEST_F(KlabCli, ResetOffsetsHelpListsItsOptions) {
  LabHome home(false);
  auto r = home.run({"groups", "reset-offsets", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (auto opt :
       {"--topic", "--to-earliest", "--to-latest", "--to-offset", "--to-datetime", "--execute"})
    EXPECT_NE(r.output.find(opt), std::string::npos) << opt << " in " << r.output;
  auto none = home.run({"groups", "reset-offsets", "g", "--topic", "t"});
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("exactly one of --to-earliest"), std::string::npos) << none.output;
}

TEST_F(KlabCli, ResetNeedsConfirmationAndARunningLabRefusesIt) {
  LabHome home;
  auto r = home.run({"reset"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--yes"), std::string::npos) << r.output;
}

// 8.1.3 by hand: a lab on the previous Kafka, upgraded, rolled back, upgraded and finalized;
// after that a rollback is refused with the reason.
TEST_F(KlabCli, UpgradeRollsTheLabForwardAndBackUntilFinalizeThenRefusesTheRollback) {
  ::testing::Test::RecordProperty("roadmap", "8.1.3");
  LabHome home;
  auto port = std::to_string(free_port());
  auto up = home.run(
      {"up", "--nodes", "1", "--port", port, "--no-console", "--kafka-version", "previous"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto version_of_node_1 = [&] {
    auto status = home.run({"status"});
    std::smatch m;
    static const std::regex re(R"(\n  1 +\S+ +\S+ +\S+ +\d+ +(\S+) +running)");
    return std::regex_search(status.output, m, re) ? m[1].str() : "? " + status.output;
  };
  EXPECT_EQ(version_of_node_1(), "4.3.1");

  auto forward = home.run({"upgrade"});
  ASSERT_EQ(forward.exit_code, 0) << forward.output;
  EXPECT_NE(forward.output.find("metadata.version is still 4.3-IV0"), std::string::npos)
      << forward.output;
  EXPECT_EQ(version_of_node_1().substr(0, 4), "4.4.");
  auto back = home.run({"upgrade", "--rollback"});
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_EQ(version_of_node_1(), "4.3.1");

  auto early = home.run({"upgrade", "--finalize"});
  EXPECT_EQ(early.exit_code, 1) << early.output;
  EXPECT_NE(early.output.find("node 1 still runs Kafka 4.3.1"), std::string::npos) << early.output;
  ASSERT_EQ(home.run({"upgrade"}).exit_code, 0);
  auto final = home.run({"upgrade", "--finalize"});
  ASSERT_EQ(final.exit_code, 0) << final.output;
  EXPECT_NE(final.output.find("metadata.version 4.3-IV0 -> 4.4-IV"), std::string::npos)
      << final.output;
  auto refused = home.run({"upgrade", "--rollback"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("a rollback is refused"), std::string::npos) << refused.output;
  EXPECT_EQ(version_of_node_1().substr(0, 4), "4.4.") << "the refusal changed nothing";

  auto again = home.run({"up", "--kafka-version", "previous", "--no-console"});
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("applies to a new lab only"), std::string::npos) << again.output;
}

// One running 1-node lab shared by the commands that only read and write records.
class KlabCliOnRunningLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    unsetenv("KLAB_BOOTSTRAP");
    home_ = new LabHome();
    auto up =
        home_->run({"up", "--nodes", "1", "--port", std::to_string(free_port()), "--no-console"});
    ASSERT_EQ(up.exit_code, 0) << up.output;
  }
  static void TearDownTestSuite() {
    delete home_;
    home_ = nullptr;
  }
  static LabHome* home_;
};
LabHome* KlabCliOnRunningLab::home_ = nullptr;

TEST_F(KlabCliOnRunningLab, StatusShowsTheBrokerAndTheKRaftQuorum) {
  ::testing::Test::RecordProperty("roadmap", "1.1.2");
  auto r = home_->run({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Brokers (1 registered"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("leader        node 1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("voters        1\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Apache Kafka 4."), std::string::npos) << r.output;
}

TEST_F(KlabCliOnRunningLab, AclsOnAPlaintextLabSayThereIsNoAuthorizer) {
  ::testing::Test::RecordProperty("roadmap", "8.2.2");
  auto r = home_->run({"acls", "list"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("the cluster has no authorizer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("klab up --secure"), std::string::npos) << r.output;
}

TEST_F(KlabCliOnRunningLab, TopicsCreateListDescribeDelete) {
  ::testing::Test::RecordProperty("roadmap", "1.2.3");
  auto create = home_->run(
      {"topics", "create", "cli-topic", "--partitions", "3", "--config", "retention.ms=600000"});
  ASSERT_EQ(create.exit_code, 0) << create.output;
  auto list = home_->run({"topics", "list"});
  EXPECT_NE(list.output.find("cli-topic"), std::string::npos) << list.output;
  auto describe = home_->run({"topics", "describe", "cli-topic"});
  EXPECT_EQ(describe.exit_code, 0) << describe.output;
  EXPECT_NE(describe.output.find("partitions 3"), std::string::npos) << describe.output;
  auto twice = home_->run({"topics", "create", "cli-topic"});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.output.find("TOPIC_ALREADY_EXISTS"), std::string::npos) << twice.output;
  EXPECT_EQ(home_->run({"topics", "delete", "cli-topic"}).exit_code, 0);
  auto missing = home_->run({"topics", "delete", "no-such-topic"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("UNKNOWN_TOPIC"), std::string::npos) << missing.output;
  auto bad = home_->run({"topics", "create", "bad", "--config", "retention.ms"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("key=value"), std::string::npos) << bad.output;
}

// 8.1.1: a topics file is the truth; plan shows the difference, apply makes it so, and what
// Kafka cannot do in place (fewer partitions, another replication factor) is refused whole.
TEST_F(KlabCliOnRunningLab, TopicsApplyMakesTheClusterMatchTheFileAndRefusesWhatKafkaCannotDo) {
  ::testing::Test::RecordProperty("roadmap", "8.1.1");
  auto file = home_->dir() / "topics.yaml";
  auto write = [&](const std::string& orders_partitions, const std::string& retention) {
    std::ofstream(file) << "topics:\n"
                        << "  - name: gitops.orders\n    partitions: " << orders_partitions
                        << "\n    replication_factor: 1\n    configs:\n      retention.ms: \""
                        << retention << "\"\n"
                        << "  - name: gitops.payments\n    partitions: 1\n"
                        << "    replication_factor: 1\n";
  };
  write("3", "604800000");
  auto args = [&](const char* verb, std::vector<std::string> more = {}) {
    std::vector<std::string> a{"topics", verb, "-f", file.string(), "--prefix", "gitops."};
    a.insert(a.end(), more.begin(), more.end());
    return a;
  };
  auto first = home_->run(args("plan"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("2 change(s) to apply"), std::string::npos) << first.output;
  ASSERT_EQ(home_->run(args("apply")).exit_code, 0);
  auto same = home_->run(args("plan"));
  EXPECT_NE(same.output.find("0 change(s) to apply, 2 topic(s) already as the file says"),
            std::string::npos)
      << same.output;

  write("6", "86400000");
  auto grow = home_->run(args("apply"));
  ASSERT_EQ(grow.exit_code, 0) << grow.output;
  EXPECT_NE(grow.output.find("3 -> 6 partitions"), std::string::npos) << grow.output;
  EXPECT_NE(grow.output.find("retention.ms: 604800000 -> 86400000"), std::string::npos)
      << grow.output;
  auto described = home_->run({"topics", "describe", "gitops.orders"});
  EXPECT_NE(described.output.find("partitions 6"), std::string::npos) << described.output;

  write("2", "86400000");
  auto shrink = home_->run(args("apply"));
  EXPECT_EQ(shrink.exit_code, 1) << shrink.output;
  EXPECT_NE(shrink.output.find("6 -> 2 partitions: Kafka cannot remove partitions"),
            std::string::npos)
      << shrink.output;
  EXPECT_NE(shrink.output.find("nothing was applied"), std::string::npos) << shrink.output;

  ASSERT_EQ(home_->run({"topics", "create", "gitops.legacy"}).exit_code, 0);
  write("6", "86400000");
  auto kept = home_->run(args("apply"));
  EXPECT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_NE(kept.output.find("unmanaged       gitops.legacy"), std::string::npos) << kept.output;
  EXPECT_NE(home_->run({"topics", "list"}).output.find("gitops.legacy"), std::string::npos);
  auto deleted = home_->run(args("apply", {"--allow-delete"}));
  EXPECT_EQ(deleted.exit_code, 0) << deleted.output;
  EXPECT_NE(deleted.output.find("applied: delete gitops.legacy"), std::string::npos)
      << deleted.output;

  std::ofstream(file) << "topics:\n  - name: gitops.x\n    partitions: 1\n";
  auto bad = home_->run(args("plan"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("topics.yaml:2: topic gitops.x has no replication_factor"),
            std::string::npos)
      << bad.output;
}

// 8.3.4: the checklist exits 0 on a healthy lab, and 1 with the finding and its fix.
TEST_F(KlabCliOnRunningLab, DoctorPassesAHealthyLabAndExitsOneWithTheFixForEachProblem) {
  ::testing::Test::RecordProperty("roadmap", "8.3.4");
  auto healthy = home_->run({"doctor", "--interval", "1s", "--max-disk-use", "1"});
  EXPECT_EQ(healthy.exit_code, 0) << healthy.output;
  for (const char* check : {"under-replicated partitions", "offline partitions", "under min ISR",
                            "active controller", "quorum lag", "ISR shrink/expand",
                            "request handler idle", "disk use", "consumer lag growing"})
    EXPECT_NE(healthy.output.find(check), std::string::npos) << check << "\n" << healthy.output;
  EXPECT_NE(healthy.output.find("✅ active controller"), std::string::npos) << healthy.output;

  auto full = home_->run({"doctor", "--interval", "500ms", "--max-disk-use", "0", "--json"});
  EXPECT_EQ(full.exit_code, 1) << full.output;
  auto json_start = full.output.find('[');
  ASSERT_NE(json_start, std::string::npos) << full.output;
  auto findings = nlohmann::json::parse(
      full.output.substr(json_start, full.output.rfind(']') - json_start + 1));
  ASSERT_EQ(findings.size(), 9u);
  EXPECT_EQ(findings[7]["check"], "disk use");
  EXPECT_EQ(findings[7]["status"], "fail");
  EXPECT_NE(findings[7]["fix"].get<std::string>().find("retention"), std::string::npos);
  EXPECT_NE(full.output.find("the checklist found problems"), std::string::npos) << full.output;

  auto bad = home_->run({"doctor", "--max-disk-use", "2"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

// 8.1.2: the schema registry beside the lab, its URL in `klab status`, a taken port named.
TEST_F(KlabCliOnRunningLab, WithRegistryStartsTheSchemaRegistryAndStatusShowsItsUrl) {
  ::testing::Test::RecordProperty("roadmap", "8.1.2");
  {
    HeldPort held;
    auto taken = held.port();
    auto refused = home_->run(
        {"up", "--with-registry", "--registry-port", std::to_string(taken), "--no-console"});
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_NE(refused.output.find("port " + std::to_string(taken) + " (the schema registry's)"),
              std::string::npos)
        << refused.output;
  }

  auto port = std::to_string(free_port());
  auto up = home_->run({"up", "--with-registry", "--registry-port", port, "--no-console"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  auto url = "http://127.0.0.1:" + port + "/apis/ccompat/v7";
  EXPECT_NE(up.output.find("registry    " + url), std::string::npos) << up.output;
  auto status = home_->run({"status"});
  EXPECT_NE(status.output.find("Schema registry: " + url), std::string::npos) << status.output;
}

TEST_F(KlabCliOnRunningLab, AppRunStartsEventLoggingWithItsPostgresAndCtrlCStopsEverything) {
  ::testing::Test::RecordProperty("roadmap", "project.1");
  auto list = home_->run({"app", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("event-logging    project.1"), std::string::npos) << list.output;
  auto unknown = home_->run({"app", "run", "no-such-app"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("there are: event-logging"), std::string::npos) << unknown.output;

  auto port = free_port();
  auto log = home_->dir() / "app-run.log";
  setenv("KLAB_HOME", home_->dir().c_str(), 1);
  setenv("KLAB_LIGHT_JVM", "1", 1);
  unsetenv("KLAB_POSTGRES");
  pid_t pid = klab::cluster::spawn_detached(
      {KLAB_CLI_PATH, "app", "run", "event-logging", "--postgres-port", std::to_string(port)},
      {.log_file = log, .die_with_parent = true});
  unsetenv("KLAB_HOME");
  auto text = [&] {
    std::ifstream in(log);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  ASSERT_TRUE(klab::cluster::await_until(
      [&] { return text().find("Ctrl-C stops it") != std::string::npos; }, 60s))
      << text();
  klab::cluster::Postgres pg({.dir = home_->dir() / ".klab" / "state" / "postgres", .port = port});
  EXPECT_TRUE(pg.running()) << "klab app run started the lab's PostgreSQL";
  // The emitters log, the collector stores: rows appear in the app's database.
  auto rows = [&] {
    try {
      return std::stol(pg.query("event_logging", "SELECT count(*) FROM events"));
    } catch (const std::exception&) {
      return 0L;
    }
  };
  EXPECT_TRUE(klab::cluster::await_until([&] { return rows() >= 10; }, 90s)) << text();

  ::kill(pid, SIGINT);
  int status = -1;
  ASSERT_TRUE(
      klab::cluster::await_until([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, 60s));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text();
  EXPECT_NE(text().find("stopped (and the PostgreSQL it started)"), std::string::npos) << text();
  EXPECT_FALSE(pg.running());
  for (const char* program : {"collector", "checkout", "search", "payments"})
    EXPECT_FALSE(fs::exists(home_->dir() / ".klab" / "state" / "apps" / "event-logging" /
                            (std::string(program) + ".pid")))
        << program << " is still known as running";
}

TEST_F(KlabCliOnRunningLab, ProduceWithKeyAndHeaderIsConsumedWithBoth) {
  ::testing::Test::RecordProperty("roadmap", "1.1.3");
  ASSERT_EQ(home_->run({"topics", "create", "cli-records"}).exit_code, 0);
  auto p = home_->run({"produce", "cli-records", "--key-separator", ":", "--header", "source=cli"},
                      "user-1:signed up\nuser-2:logged in\n");
  ASSERT_EQ(p.exit_code, 0) << p.output;
  EXPECT_NE(p.output.find("Delivered 2 record(s)"), std::string::npos) << p.output;
  auto c = home_->run({"consume", "cli-records", "--from-beginning", "--max", "2", "--print-key",
                       "--print-headers", "--group", "cli-readers", "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("user-1\tsource=cli\tsigned up"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("user-2\tsource=cli\tlogged in"), std::string::npos) << c.output;

  auto g = home_->run({"groups", "describe", "cli-readers"});
  ASSERT_EQ(g.exit_code, 0) << g.output;
  EXPECT_NE(g.output.find("total lag 0"), std::string::npos) << g.output;
  auto more = home_->run({"produce", "cli-records"}, "one more\n");
  ASSERT_EQ(more.exit_code, 0);
  auto g2 = home_->run({"groups", "describe", "cli-readers"});
  EXPECT_NE(g2.output.find("total lag 1"), std::string::npos) << g2.output;
}

TEST_F(KlabCliOnRunningLab, ProduceToAMissingSeparatorFailsNamingTheLine) {
  auto p = home_->run({"produce", "cli-records", "--key-separator", ":"}, "no separator here\n");
  EXPECT_NE(p.exit_code, 0);
  EXPECT_NE(p.output.find("line 1"), std::string::npos) << p.output;
}

TEST_F(KlabCliOnRunningLab, ProduceJsonRejectsInvalidLineWithItsNumber) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-json"}).exit_code, 0);
  auto p = home_->run({"produce", "cli-json", "--json"}, "{\"a\": 1}\n{\"b\": }\n");
  EXPECT_EQ(p.exit_code, 2) << p.output;
  EXPECT_NE(p.output.find("line 2 is not valid JSON"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("column 7"), std::string::npos) << "nlohmann's position: " << p.output;

  auto keyed = home_->run({"produce", "cli-json", "--json", "--key-separator", "|"},
                          "k1|{ \"n\" : [1, 2] }\nk2|not json\n");
  EXPECT_EQ(keyed.exit_code, 2) << keyed.output;
  EXPECT_NE(keyed.output.find("line 2 is not valid JSON"), std::string::npos) << keyed.output;
  auto c = home_->run({"consume", "cli-json", "--from-beginning", "--max", "2", "--print-key",
                       "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("null\t{\"a\":1}"), std::string::npos) << "sent compacted: " << c.output;
  EXPECT_NE(c.output.find("k1\t{\"n\":[1,2]}"), std::string::npos) << c.output;
}

TEST_F(KlabCliOnRunningLab, ProduceWithCompressionAndAcksDelivers) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-tuned", "--partitions", "2"}).exit_code, 0);
  auto zstd = home_->run({"produce", "cli-tuned", "--compression", "zstd", "--acks", "1",
                          "--linger-ms", "20", "--batch-size", "65536"},
                         "squeezed one\nsqueezed two\n");
  ASSERT_EQ(zstd.exit_code, 0) << zstd.output;
  EXPECT_NE(zstd.output.find("Delivered 2 record(s)"), std::string::npos) << zstd.output;
  auto idem = home_->run({"produce", "cli-tuned", "--compression", "lz4", "--idempotent"},
                         "exactly once per send\n");
  ASSERT_EQ(idem.exit_code, 0) << idem.output;
  auto fire = home_->run({"produce", "cli-tuned", "--acks", "0", "--compression", "gzip"},
                         "fire and forget\n");
  ASSERT_EQ(fire.exit_code, 0) << fire.output;
  auto c = home_->run(
      {"consume", "cli-tuned", "--from-beginning", "--max", "4", "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  for (auto v : {"squeezed one", "squeezed two", "exactly once per send", "fire and forget"})
    EXPECT_NE(c.output.find(v), std::string::npos) << v << " in " << c.output;
}

TEST_F(KlabCliOnRunningLab, PerfProduceReportsThroughputAndLatencyJson) {
  auto r = home_->run(
      {"perf", "produce", "--records", "2000", "--json", "--compression", "lz4", "--keys", "7"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // stderr is merged into the output: the result is the one line that is a JSON object.
  std::istringstream lines(r.output);
  std::string line, result;
  while (std::getline(lines, line))
    if (!line.empty() && line.front() == '{') result = line;
  ASSERT_FALSE(result.empty()) << r.output;
  auto j = nlohmann::json::parse(result);
  EXPECT_EQ(j["records"], 2000);
  EXPECT_EQ(j["failed"], 0);
  EXPECT_EQ(j["compression"], "lz4");
  EXPECT_EQ(j["keys"], 7);
  EXPECT_GT(j["records_per_s"].get<double>(), 0);
  ASSERT_TRUE(j["produce_requests"].is_number()) << result;
  EXPECT_GT(j["produce_requests"].get<long>(), 0);
  EXPECT_GT(j["records_per_request"].get<double>(), 0);
  const auto& lat = j["latency_ms"];
  EXPECT_GE(lat["p99"].get<double>(), lat["p50"].get<double>()) << result;
  EXPECT_GE(lat["p99_9"].get<double>(), lat["p99"].get<double>()) << result;
  EXPECT_GE(lat["max"].get<double>(), lat["p99_9"].get<double>()) << result;
  EXPECT_EQ(j["topic"].get<std::string>().rfind("perf-", 0), 0u) << result;
}

// Offsets per partition as a table shows them: committed ("-" = -1), log end, lag.
struct PartitionOffsets {
  std::int64_t committed = -1;
  std::int64_t log_end = -1;
  std::int64_t lag = -1;
  friend bool operator==(const PartitionOffsets&, const PartitionOffsets&) = default;
};
std::ostream& operator<<(std::ostream& os, const PartitionOffsets& p) {
  return os << "committed " << p.committed << " end " << p.log_end << " lag " << p.lag;
}
std::int64_t number_or_minus_one(const std::string& text) {
  return text == "-" ? -1 : std::stoll(text);
}

// Rows of `klab groups describe` for `topic`: "  topic partition committed end lag".
std::map<int, PartitionOffsets> klab_lag_table(const std::string& output,
                                               const std::string& topic) {
  std::map<int, PartitionOffsets> rows;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string t, partition, committed, end, lag;
    if (!(words >> t >> partition >> committed >> end >> lag) || t != topic) continue;
    rows[std::stoi(partition)] = {number_or_minus_one(committed), std::stoll(end), std::stoll(lag)};
  }
  return rows;
}

// Rows of Kafka's ConsumerGroupCommand --describe for `topic`, found by its header's columns.
std::map<int, PartitionOffsets> kafka_lag_table(const std::string& output,
                                                const std::string& topic) {
  std::map<int, PartitionOffsets> rows;
  std::istringstream lines(output);
  std::string line;
  std::map<std::string, std::size_t> column;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> cells;
    for (std::string w; words >> w;) cells.push_back(w);
    if (std::find(cells.begin(), cells.end(), "CURRENT-OFFSET") != cells.end()) {
      column.clear();
      for (std::size_t i = 0; i < cells.size(); ++i) column[cells[i]] = i;
      continue;
    }
    if (column.empty() || cells.size() <= column["LAG"] || cells[column["TOPIC"]] != topic)
      continue;
    rows[std::stoi(cells[column["PARTITION"]])] = {
        number_or_minus_one(cells[column["CURRENT-OFFSET"]]),
        std::stoll(cells[column["LOG-END-OFFSET"]]), number_or_minus_one(cells[column["LAG"]])};
  }
  return rows;
}

// Client settings for the lab the suite started, for producers and consumers in this process.
klab::client::Config lab_client_config(const LabHome& home) {
  auto paths = klab::cluster::LabPaths::at(home.dir());
  return klab::cluster::client_config(klab::cluster::resolve_target(paths));
}

// "2026-11-24T10:00:00.250Z" for ms since the epoch.
std::string iso8601_utc(std::int64_t ms) {
  std::time_t seconds = ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(text) + millis;
}

// Produces `lines` (newline-separated) into one partition with `klab produce`.
void produce_to(const LabHome& home, const std::string& topic, int partition,
                const std::string& lines) {
  auto p = home.run({"produce", topic, "--partition", std::to_string(partition)}, lines);
  ASSERT_EQ(p.exit_code, 0) << p.output;
}

TEST_F(KlabCliOnRunningLab, ConsumeFromOffsetOnOnePartition) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-offset", "--partitions", "2"}).exit_code, 0);
  produce_to(*home_, "cli-offset", 0, "a0\na1\na2\na3\na4\n");
  produce_to(*home_, "cli-offset", 1, "b0\nb1\n");

  auto c = home_->run({"consume", "cli-offset", "--partition", "0", "--offset", "2", "--max", "3",
                       "--print-offset", "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("cli-offset/0@2\ta2\ncli-offset/0@3\ta3\ncli-offset/0@4\ta4\n"),
            std::string::npos)
      << c.output;
  EXPECT_EQ(c.output.find("a1"), std::string::npos) << "starts at offset 2: " << c.output;
  EXPECT_EQ(c.output.find("b0"), std::string::npos) << "only partition 0: " << c.output;

  // Without --partition the offset applies to every partition.
  auto all = home_->run({"consume", "cli-offset", "--offset", "1", "--max", "5", "--print-offset",
                         "--timeout-ms", "30000"});
  ASSERT_EQ(all.exit_code, 0) << all.output;
  for (auto want : {"cli-offset/0@1\ta1", "cli-offset/0@4\ta4", "cli-offset/1@1\tb1"})
    EXPECT_NE(all.output.find(want), std::string::npos) << want << " in " << all.output;
  EXPECT_EQ(all.output.find("b0"), std::string::npos) << all.output;

  auto past = home_->run({"consume", "cli-offset", "--partition", "1", "--offset", "9"});
  EXPECT_EQ(past.exit_code, 2) << past.output;
  EXPECT_NE(past.output.find("--offset 9 is outside cli-offset/1"), std::string::npos)
      << past.output;
  auto no_partition = home_->run({"consume", "cli-offset", "--partition", "5", "--offset", "0"});
  EXPECT_NE(no_partition.exit_code, 0);
  EXPECT_NE(no_partition.output.find("partitions 0 to 1"), std::string::npos)
      << no_partition.output;
}

TEST_F(KlabCliOnRunningLab, ConsumeFromTimestamp) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-time", "--partitions", "2"}).exit_code, 0);
  // Records one second apart, a few minutes ago (recent enough for any broker timestamp check).
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::int64_t base = now_ms - 10 * 60 * 1000;
  {
    klab::client::Producer producer(lab_client_config(*home_));
    for (int i = 0; i < 4; ++i) {
      klab::client::ProducerRecord r;
      r.topic = "cli-time";
      r.partition = i % 2;
      r.value = "t" + std::to_string(i);
      r.timestamp = base + i * 1000;
      auto report = producer.send_sync(std::move(r), 30s);
      ASSERT_FALSE(report.error) << report.error.to_string();
    }
  }
  // t2 (partition 0) and t3 (partition 1) are at or after base + 1500.
  for (auto at : {std::to_string(base + 1500), iso8601_utc(base + 1500)}) {
    auto c = home_->run(
        {"consume", "cli-time", "--timestamp", at, "--max", "2", "--timeout-ms", "30000"});
    ASSERT_EQ(c.exit_code, 0) << at << ": " << c.output;
    EXPECT_NE(c.output.find("t2\n"), std::string::npos) << at << ": " << c.output;
    EXPECT_NE(c.output.find("t3\n"), std::string::npos) << at << ": " << c.output;
    EXPECT_EQ(c.output.find("t0\n"), std::string::npos) << at << ": " << c.output;
    EXPECT_EQ(c.output.find("t1\n"), std::string::npos) << at << ": " << c.output;
  }
  auto one =
      home_->run({"consume", "cli-time", "--partition", "1", "--timestamp", iso8601_utc(base + 500),
                  "--max", "2", "--print-offset", "--timeout-ms", "30000"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_NE(one.output.find("cli-time/1@0\tt1\ncli-time/1@1\tt3\n"), std::string::npos)
      << one.output;

  auto no_zone = home_->run({"consume", "cli-time", "--timestamp", "2026-11-24T10:00:00"});
  EXPECT_EQ(no_zone.exit_code, 2) << no_zone.output;
  EXPECT_NE(no_zone.output.find("has no time zone"), std::string::npos) << no_zone.output;
}

TEST_F(KlabCliOnRunningLab, ConsumeRejectsOffsetWithFromBeginning) {
  auto r = home_->run(
      {"consume", "cli-records", "--partition", "0", "--offset", "1", "--from-beginning"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--offset and --from-beginning"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;

  auto grouped = home_->run({"consume", "cli-records", "--group", "g", "--offset", "1"});
  EXPECT_EQ(grouped.exit_code, 2) << grouped.output;
  EXPECT_NE(grouped.output.find("--offset with --group needs --partition"), std::string::npos)
      << grouped.output;
  auto isolation = home_->run({"consume", "cli-records", "--isolation", "serializable"});
  EXPECT_EQ(isolation.exit_code, 2) << isolation.output;
  EXPECT_NE(isolation.output.find("read_uncommitted or read_committed"), std::string::npos)
      << isolation.output;
}

TEST_F(KlabCliOnRunningLab, GroupsDescribeMatchesKafkasOwnConsumerGroupsTool) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-lag", "--partitions", "3"}).exit_code, 0);
  produce_to(*home_, "cli-lag", 0, "x\nx\nx\n");
  produce_to(*home_, "cli-lag", 1, "y\ny\n");
  produce_to(*home_, "cli-lag", 2, "z\n");
  auto c = home_->run({"consume", "cli-lag", "--group", "cli-lag-readers", "--from-beginning",
                       "--max", "6", "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  produce_to(*home_, "cli-lag", 1, "y\ny\n");  // lag 2 on partition 1

  auto ours = home_->run({"groups", "describe", "cli-lag-readers"});
  ASSERT_EQ(ours.exit_code, 0) << ours.output;
  EXPECT_NE(ours.output.find("state Empty"), std::string::npos) << ours.output;
  EXPECT_NE(ours.output.find("coordinator node 1 (127.0.0.1:"), std::string::npos) << ours.output;
  auto klab_rows = klab_lag_table(ours.output, "cli-lag");

  auto bootstrap =
      klab::cluster::resolve_target(klab::cluster::LabPaths::at(home_->dir())).bootstrap;
  auto kafka =
      klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover())
          .run_tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                    {"--bootstrap-server", bootstrap, "--describe", "--group", "cli-lag-readers"},
                    120s);
  ASSERT_EQ(kafka.exit_code, 0) << kafka.output;
  auto kafka_rows = kafka_lag_table(kafka.output, "cli-lag");

  std::map<int, PartitionOffsets> expected{{0, {3, 3, 0}}, {1, {2, 4, 2}}, {2, {1, 1, 0}}};
  EXPECT_EQ(kafka_rows, expected) << kafka.output;
  EXPECT_EQ(klab_rows, kafka_rows) << "klab:\n" << ours.output << "\nkafka:\n" << kafka.output;
  EXPECT_NE(ours.output.find("total lag 2"), std::string::npos) << ours.output;
}

// Reads 3 records into `group` so it has committed offset 3 on partition 0 of `topic`.
void group_read_three(const LabHome& home, const std::string& topic, const std::string& group) {
  ASSERT_EQ(home.run({"topics", "create", topic}).exit_code, 0);
  produce_to(home, topic, 0, "r0\nr1\nr2\n");
  auto c = home.run({"consume", topic, "--group", group, "--from-beginning", "--max", "3",
                     "--timeout-ms", "30000"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
}

TEST_F(KlabCliOnRunningLab, ResetOffsetsIsADryRunUnlessExecute) {
  group_read_three(*home_, "cli-reset-dry", "cli-reset-dry-g");
  auto plan = home_->run(
      {"groups", "reset-offsets", "cli-reset-dry-g", "--topic", "cli-reset-dry", "--to-earliest"});
  ASSERT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_TRUE(std::regex_search(plan.output, std::regex(R"(cli-reset-dry +0 +3 +0\n)")))
      << "partition 0: committed 3, new 0: " << plan.output;
  EXPECT_NE(plan.output.find("Dry run: nothing changed"), std::string::npos) << plan.output;
  auto unchanged = home_->run({"groups", "describe", "cli-reset-dry-g"});
  EXPECT_EQ((klab_lag_table(unchanged.output, "cli-reset-dry")[0]), (PartitionOffsets{3, 3, 0}))
      << unchanged.output;

  auto applied = home_->run({"groups", "reset-offsets", "cli-reset-dry-g", "--topic",
                             "cli-reset-dry", "--to-offset", "1", "--execute"});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  EXPECT_EQ(applied.output.find("Dry run"), std::string::npos) << applied.output;
  auto moved = home_->run({"groups", "describe", "cli-reset-dry-g"});
  EXPECT_EQ((klab_lag_table(moved.output, "cli-reset-dry")[0]), (PartitionOffsets{1, 3, 2}))
      << moved.output;
}

TEST_F(KlabCliOnRunningLab, ResetOffsetsToEarliestThenConsumeRereads) {
  group_read_three(*home_, "cli-reread", "cli-reread-g");
  auto nothing_new = home_->run(
      {"consume", "cli-reread", "--group", "cli-reread-g", "--max", "1", "--timeout-ms", "3000"});
  ASSERT_EQ(nothing_new.exit_code, 0) << nothing_new.output;
  EXPECT_NE(nothing_new.output.find("Consumed 0 record(s)"), std::string::npos)
      << nothing_new.output;

  auto reset = home_->run({"groups", "reset-offsets", "cli-reread-g", "--topic", "cli-reread",
                           "--to-earliest", "--execute"});
  ASSERT_EQ(reset.exit_code, 0) << reset.output;
  auto again = home_->run(
      {"consume", "cli-reread", "--group", "cli-reread-g", "--max", "3", "--timeout-ms", "30000"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("r0\nr1\nr2\n"), std::string::npos) << again.output;
}

TEST_F(KlabCliOnRunningLab, ResetOffsetsRefusedWhileMembersAreActive) {
  group_read_three(*home_, "cli-busy", "cli-busy-g");
  std::atomic<bool> stop{false};
  std::thread member([&] {
    auto config = lab_client_config(*home_);
    config.set("group.id", "cli-busy-g");
    klab::client::Consumer consumer(config);
    consumer.subscribe({"cli-busy"});
    while (!stop) consumer.poll(100ms);
    consumer.close();
  });
  // Await the member's join, as describe reports it.
  bool joined = false;
  for (auto deadline = std::chrono::steady_clock::now() + 60s;
       !joined && std::chrono::steady_clock::now() < deadline;)
    joined = home_->run({"groups", "describe", "cli-busy-g"}).output.find("state Stable") !=
             std::string::npos;
  ASSERT_TRUE(joined) << home_->run({"groups", "describe", "cli-busy-g"}).output;

  auto r = home_->run({"groups", "reset-offsets", "cli-busy-g", "--topic", "cli-busy",
                       "--to-earliest", "--execute"});
  auto described = home_->run({"groups", "describe", "cli-busy-g"});
  stop = true;
  member.join();
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("group cli-busy-g is Stable with 1 active member(s): stop its consumers "
                          "first"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
  EXPECT_EQ((klab_lag_table(described.output, "cli-busy")[0].committed), 3) << described.output;
}

// The one line of `output` that is a JSON object (stderr is merged into the output).
nlohmann::json json_line_of(const std::string& output) {
  std::istringstream lines(output);
  std::string line, result;
  while (std::getline(lines, line))
    if (!line.empty() && line.front() == '{') result = line;
  return result.empty() ? nlohmann::json() : nlohmann::json::parse(result);
}

TEST_F(KlabCliOnRunningLab, PerfConsumeReadsExactlyWhatPerfProduceWrote) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-perf-rw", "--partitions", "3"}).exit_code, 0);
  auto p = home_->run({"perf", "produce", "--topic", "cli-perf-rw", "--records", "3000",
                       "--record-size", "50", "--throughput", "3000", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.output;
  auto pj = json_line_of(p.output);
  ASSERT_TRUE(pj.is_object()) << p.output;
  // --throughput 3000: record i is not sent before i/3000 s, so 3000 records take >= 2999/3000 s.
  EXPECT_GE(pj["elapsed_s"].get<double>(), 0.999) << p.output;
  auto c = home_->run({"perf", "consume", "--topic", "cli-perf-rw", "--records", "3000", "-X",
                       "fetch.min.bytes=1", "--json"});
  ASSERT_EQ(c.exit_code, 0) << c.output;
  auto cj = json_line_of(c.output);
  ASSERT_TRUE(cj.is_object()) << c.output;
  EXPECT_EQ(cj["records"], 3000);
  EXPECT_EQ(cj["bytes"], 3000 * 50) << "keyless 50-byte values";
  ASSERT_TRUE(cj["fetch_requests"].is_number()) << c.output;
  EXPECT_GT(cj["fetch_requests"].get<long>(), 0);
}

TEST_F(KlabCliOnRunningLab, PerfConsumeOfMoreThanTheTopicHoldsFailsNamingTheCount) {
  ASSERT_EQ(home_->run({"topics", "create", "cli-perf-short"}).exit_code, 0);
  ASSERT_EQ(home_->run({"produce", "cli-perf-short"}, "a\nb\nc\n").exit_code, 0);
  auto c = home_->run(
      {"perf", "consume", "--topic", "cli-perf-short", "--records", "5", "--timeout", "3s"});
  EXPECT_EQ(c.exit_code, 1) << c.output;
  EXPECT_NE(c.output.find("only 3 of 5 record(s) arrived"), std::string::npos) << c.output;
}

TEST_F(KlabCliOnRunningLab, PerfE2eTimesEveryRoundTripOfItsOwnRecords) {
  auto r = home_->run({"perf", "e2e", "--records", "50", "--record-size", "20", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = json_line_of(r.output);
  ASSERT_TRUE(j.is_object()) << r.output;
  EXPECT_EQ(j["records"], 50);
  EXPECT_EQ(j["acks"], "all");
  const auto& l = j["latency_ms"];
  EXPECT_GT(l["avg"].get<double>(), 0) << r.output;
  EXPECT_LE(l["p50"].get<double>(), l["p99"].get<double>()) << r.output;
  EXPECT_LE(l["p99"].get<double>(), l["p99_9"].get<double>()) << r.output;
  EXPECT_LE(l["p99_9"].get<double>(), l["max"].get<double>()) << r.output;
  // Its fresh topic holds the warm-up record and the 50 timed ones, nothing else.
  auto all = home_->run({"perf", "consume", "--topic", j["topic"].get<std::string>(), "--records",
                         "52", "--timeout", "3s"});
  EXPECT_NE(all.output.find("only 51 of 52 record(s) arrived"), std::string::npos) << all.output;
}

TEST_F(KlabCliOnRunningLab, PerfPropertiesThatAreNotKeyValueOrUnknownFailBeforeConnecting) {
  auto bare = home_->run({"perf", "produce", "-X", "linger.ms"});
  EXPECT_EQ(bare.exit_code, 2) << bare.output;
  EXPECT_NE(bare.output.find("-X wants key=value"), std::string::npos) << bare.output;
  auto unknown = home_->run({"perf", "consume", "--topic", "x", "-X", "no.such.property=1"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("no.such.property"), std::string::npos) << unknown.output;
  auto acks = home_->run({"perf", "e2e", "--acks", "2"});
  EXPECT_EQ(acks.exit_code, 2) << acks.output;
  EXPECT_NE(acks.output.find("--acks must be 0, 1 or all"), std::string::npos) << acks.output;
}

// The number after "lag " in `klab drill check` output, or -1.
long drill_lag(const std::string& output) {
  std::smatch m;
  static const std::regex lag(R"(lag (\d+))");
  return std::regex_search(output, m, lag) ? std::stol(m[1]) : -1;
}

// Drill workers are processes of their own: whatever a test does, they end with it.
struct StopDrillOnExit {
  LabHome* home;
  ~StopDrillOnExit() { home->run({"drill", "stop"}); }
};

// Runs `klab drill check NAME` until it exits with `exit_code` (and `accept` holds for its
// output); returns whether it did in time, with the last output in `last`.
bool await_drill_check(
    LabHome& home, const std::string& name, int exit_code, std::chrono::milliseconds timeout,
    std::string& last,
    const std::function<bool(const std::string&)>& accept = [](const std::string&) {
      return true;
    }) {
  return klab::cluster::await_until(
      [&] {
        auto c = home.run({"drill", "check", name});
        last = c.output;
        return c.exit_code == exit_code && accept(c.output);
      },
      klab::cluster::scaled(timeout), 1s);
}

TEST_F(KlabCliOnRunningLab, ConsumerLagDrillFailsItsCheckUntilEnoughConsumersDrainTheLag) {
  ::testing::Test::RecordProperty("roadmap", "7.3.1");
  StopDrillOnExit stop_drill{home_};
  auto list = home_->run({"drill", "list"});
  EXPECT_NE(list.output.find("consumer-lag    7.3.1"), std::string::npos) << list.output;
  auto start = home_->run({"drill", "start", "consumer-lag"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("1 producer(s), 1 consumer(s) running"), std::string::npos)
      << start.output;
  auto again = home_->run({"drill", "start", "consumer-lag"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("klab drill stop"), std::string::npos) << again.output;

  // The symptom: one consumer handles 50 records/s of the 200/s written, so lag climbs and the
  // check fails naming the fix.
  std::string failing;
  bool lagging = await_drill_check(*home_, "consumer-lag", 1, 90s, failing,
                                   [](const std::string& out) { return drill_lag(out) >= 300; });
  ASSERT_TRUE(lagging) << failing;
  EXPECT_NE(failing.find("with 1 consumer(s)"), std::string::npos) << failing;
  EXPECT_NE(failing.find("klab drill scale consumer-lag"), std::string::npos) << failing;

  // The fix: six instances, one per partition, 300 records/s together.
  auto scale = home_->run({"drill", "scale", "consumer-lag", "6"});
  ASSERT_EQ(scale.exit_code, 0) << scale.output;
  EXPECT_NE(scale.output.find("6 consumer(s) running"), std::string::npos) << scale.output;
  std::string last;
  bool fixed = await_drill_check(*home_, "consumer-lag", 0, 180s, last);
  ASSERT_TRUE(fixed) << last;
  EXPECT_NE(last.find("6 consumer(s) keep up"), std::string::npos) << last;

  auto stop = home_->run({"drill", "stop"});
  EXPECT_EQ(stop.exit_code, 0) << stop.output;
  auto after = home_->run({"drill", "check", "consumer-lag"});
  EXPECT_EQ(after.exit_code, 1) << after.output;
  EXPECT_NE(after.output.find("is not running"), std::string::npos) << after.output;
  EXPECT_EQ(home_->run({"topics", "list"}).output.find("drill-consumer-lag"), std::string::npos);
}

TEST_F(KlabCliOnRunningLab, RebalanceStormDrillSettlesOnlyOnceMaxPollIntervalExceedsTheWork) {
  ::testing::Test::RecordProperty("roadmap", "7.3.2");
  StopDrillOnExit stop_drill{home_};
  auto start = home_->run({"drill", "start", "rebalance-storm"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("3 consumer(s) running"), std::string::npos) << start.output;
  // 8 s of work per record against max.poll.interval.ms=6000: two windows of 12 s in a row,
  // well past the first joins, never see the group Stable with all three.
  for (int window = 1; window <= 2; ++window) {
    auto c = home_->run({"drill", "check", "rebalance-storm"});
    EXPECT_EQ(c.exit_code, 1) << "window " << window << ": " << c.output;
    EXPECT_NE(c.output.find("not Stable or not every instance"), std::string::npos) << c.output;
    EXPECT_NE(c.output.find("max.poll.interval.ms=30000"), std::string::npos) << c.output;
  }
  auto config = home_->run({"drill", "config", "rebalance-storm", "max.poll.interval.ms=30000"});
  ASSERT_EQ(config.exit_code, 0) << config.output;
  EXPECT_NE(config.output.find("max.poll.interval.ms=30000"), std::string::npos) << config.output;
  std::string last;
  bool settled = await_drill_check(*home_, "rebalance-storm", 0, 150s, last);
  ASSERT_TRUE(settled) << last;
  EXPECT_NE(last.find("Stable with all 3 consumer(s)"), std::string::npos) << last;
  auto bad = home_->run({"drill", "config", "rebalance-storm", "max.poll.interval.ms"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("is not key=value"), std::string::npos) << bad.output;
}

TEST_F(KlabCliOnRunningLab, RollingRestartDrillRebalancesEveryInstanceUntilMembershipIsStatic) {
  ::testing::Test::RecordProperty("roadmap", "7.3.2");
  StopDrillOnExit stop_drill{home_};
  auto start = home_->run({"drill", "start", "rolling-restart"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("3 consumer(s) running"), std::string::npos) << start.output;
  // Dynamic members, eager (range) assignment: each restart is a LeaveGroup and a JoinGroup,
  // and every running instance gives up all its partitions twice.
  auto dynamic = home_->run({"drill", "check", "rolling-restart"});
  EXPECT_EQ(dynamic.exit_code, 1) << dynamic.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      dynamic.output, m, std::regex(R"(went through (\d+) rebalance\(s\) and gave up (\d+))")))
      << dynamic.output;
  EXPECT_GE(std::stoi(m[1]), 3) << "at least one per restart: " << dynamic.output;
  EXPECT_GT(std::stoi(m[2]), 0) << dynamic.output;
  EXPECT_NE(dynamic.output.find("group.instance.id=drill-app"), std::string::npos)
      << "names the fix: " << dynamic.output;

  auto config = home_->run({"drill", "config", "rolling-restart", "group.instance.id=drill-app"});
  ASSERT_EQ(config.exit_code, 0) << config.output;
  // A static member that is back within session.timeout.ms takes its place again: no rebalance.
  auto fixed = home_->run({"drill", "check", "rolling-restart"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_NE(fixed.output.find("went through 0 rebalance(s) and gave up 0 partition(s)"),
            std::string::npos)
      << fixed.output;
  auto described = home_->run({"groups", "describe", "drill-rolling-restart-app"});
  EXPECT_NE(described.output.find("drill-app-1-"), std::string::npos)
      << "member ids start with each instance's group.instance.id: " << described.output;
}

TEST_F(KlabCliOnRunningLab, OutOfMemoryDrillKillsTheNodeUntilSocketRequestMaxBytesIsTheDefault) {
  ::testing::Test::RecordProperty("roadmap", "7.3.3");
  StopDrillOnExit stop_drill{home_};
  auto start = home_->run({"drill", "start", "out-of-memory"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("node 1 runs with socket.request.max.bytes=2147483647"),
            std::string::npos)
      << start.output;
  // The health check fires as soon as its worker runs; the check's own request would do too.
  std::string last;
  ASSERT_TRUE(await_drill_check(*home_, "out-of-memory", 1, 60s, last, [](const auto& out) {
    return out.find("OutOfMemoryError") != std::string::npos;
  })) << last;
  auto status = home_->run({"status"});
  EXPECT_NE(status.output.find("died (see node-1/logs/stdout.log)"), std::string::npos)
      << status.output;

  auto config =
      home_->run({"drill", "config", "out-of-memory", "socket.request.max.bytes=104857600"});
  ASSERT_EQ(config.exit_code, 0) << config.output;
  EXPECT_NE(config.output.find("node 1 restarted"), std::string::npos) << config.output;
  ASSERT_TRUE(await_drill_check(*home_, "out-of-memory", 0, 60s, last)) << last;
  EXPECT_NE(last.find("refused an HTTP request claiming 1195725856 bytes"), std::string::npos)
      << last;

  auto stop = home_->run({"drill", "stop"});
  ASSERT_EQ(stop.exit_code, 0) << stop.output;
  EXPECT_NE(home_->run({"status"}).output.find("running"), std::string::npos);
  std::ifstream props(home_->dir() / ".klab" / "state" / "cluster" / "node-1" /
                      "server.properties");
  std::string text((std::istreambuf_iterator<char>(props)), {});
  EXPECT_EQ(text.find("socket.request.max.bytes"), std::string::npos)
      << "the node runs on the lab's own settings again";
}

TEST_F(KlabCliOnRunningLab, NetworkTimeoutDrillFailsUntilTheRequestTimeoutExceedsTheRoundTrip) {
  ::testing::Test::RecordProperty("roadmap", "7.3.4");
  StopDrillOnExit stop_drill{home_};
  auto start = home_->run({"drill", "start", "network-timeout"});
  ASSERT_EQ(start.exit_code, 0) << start.output;
  EXPECT_NE(start.output.find("socket.timeout.ms=2000"), std::string::npos) << start.output;
  EXPECT_NE(start.output.find("through a fault proxy"), std::string::npos) << start.output;
  // 1.5 s each way before the only node: no request gets its answer within 2 s. Two windows
  // in a row without one acknowledgement; the records fail once delivery.timeout.ms (30 s)
  // passes.
  std::string last;
  for (int window = 1; window <= 2; ++window) {
    auto c = home_->run({"drill", "check", "network-timeout"});
    last = c.output;
    EXPECT_EQ(c.exit_code, 1) << "window " << window << ": " << c.output;
    EXPECT_NE(c.output.find("0 acknowledged"), std::string::npos) << c.output;
  }
  ASSERT_TRUE(await_drill_check(*home_, "network-timeout", 1, 90s, last, [](const auto& out) {
    return out.find("_MSG_TIMED_OUT") != std::string::npos;
  })) << last;
  EXPECT_NE(last.find("socket.timeout.ms=10000"), std::string::npos) << "names the fix: " << last;
  // The cluster itself is fine: the broker runs and leads its partitions.
  auto describe = home_->run({"topics", "describe", "drill-network-timeout"});
  EXPECT_EQ(describe.exit_code, 0) << describe.output;

  auto config = home_->run({"drill", "config", "network-timeout", "socket.timeout.ms=10000"});
  ASSERT_EQ(config.exit_code, 0) << config.output;
  EXPECT_NE(config.output.find("producer restarted with"), std::string::npos) << config.output;
  ASSERT_TRUE(await_drill_check(*home_, "network-timeout", 0, 90s, last)) << last;
  EXPECT_NE(last.find("acknowledged on every partition and none failed"), std::string::npos)
      << last;
}

TEST_F(KlabCliOnRunningLab, DrillCommandsRefuseUnknownDrillsAndBadCountsSayingWhatExists) {
  auto unknown = home_->run({"drill", "start", "no-such-drill"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("the drills are consumer-lag, rebalance-storm"), std::string::npos)
      << unknown.output;
  auto zero = home_->run({"drill", "scale", "consumer-lag", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  auto elsewhere =
      home_->run({"drill", "start", "out-of-memory"}, "", "KLAB_BOOTSTRAP=127.0.0.1:1");
  EXPECT_EQ(elsewhere.exit_code, 1) << elsewhere.output;
  EXPECT_NE(elsewhere.output.find("restarts a node of the lab's own cluster"), std::string::npos)
      << elsewhere.output;
  auto idle = home_->run({"drill", "stop"});
  EXPECT_EQ(idle.exit_code, 0) << idle.output;
  EXPECT_NE(idle.output.find("No drill is running"), std::string::npos) << idle.output;
}

TEST_F(KlabCliOnRunningLab, PerfProduceToAMissingTopicSaysHowToCreateIt) {
  auto r = home_->run({"perf", "produce", "--topic", "no-such-perf-topic", "--records", "10"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("klab topics create no-such-perf-topic"), std::string::npos) << r.output;
}

}  // namespace
