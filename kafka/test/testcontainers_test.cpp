// env.testcontainers and 6.3.2: runs the JUnit test of kafka/testcontainers (Testcontainers'
// Kafka module starting apache/kafka of the lab's version) with Maven, offline. Where no Docker
// engine is present JUnit skips it: the module is then only checked to compile and to be found,
// and the live test skips saying so.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "klab/testing/docker_engine.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/skip.hpp"

namespace {
using klab::testing::read_text;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path root = KLAB_SOURCE_DIR;

int attribute(const std::string& xml, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(xml, m, std::regex("<testsuite [^>]*\\b" + name + "=\"([0-9]+)\"")))
    return -1;
  return std::stoi(m[1]);
}

// One Maven run for both tests: its exit code and surefire's counts.
struct JUnitRun {
  klab::cluster::CommandResult mvn;
  int tests = -1, skipped = -1, failures = -1, errors = -1;
};

const JUnitRun& junit_run() {
  static const JUnitRun run = [] {
    JUnitRun r;
    std::smatch m;
    std::string pom = read_text(root / "kafka" / "pom.xml");
    std::string version = std::regex_search(pom, m, std::regex("<kafka.version>([^<]+)<"))
                              ? m[1].str()
                              : std::string("missing");
    auto reports = root / ".klab" / "testcontainers" / "target" / "surefire-reports";
    fs::remove_all(reports);
    r.mvn = klab::cluster::run_command(
        {"mvn", "-o", "-q", "-B", "-f", (root / "kafka" / "testcontainers" / "pom.xml").string(),
         "-Dkafka.version=" + version, "test"},
        600s);
    auto xml = read_text(reports / "TEST-dev.kafkalab.KafkaContainerTest.xml");
    r.tests = attribute(xml, "tests");
    r.skipped = attribute(xml, "skipped");
    r.failures = attribute(xml, "failures");
    r.errors = attribute(xml, "errors");
    return r;
  }();
  return run;
}

TEST(TestcontainersKafka, ModuleCompilesOfflineAndJUnitFindsItsTest) {
  ::testing::Test::RecordProperty("roadmap", "env.testcontainers");
  const auto& r = junit_run();
  ASSERT_EQ(r.mvn.exit_code, 0) << "run scripts/setup asan first (it resolves the module)\n"
                                << r.mvn.output;
  EXPECT_EQ(r.tests, 1) << r.mvn.output;
  EXPECT_EQ(r.failures, 0);
  EXPECT_EQ(r.errors, 0);
}

TEST(TestcontainersKafka, KafkaContainerTestPassesAgainstARealContainer) {
  ::testing::Test::RecordProperty("roadmap", "6.3.2");
  if (auto why = klab::testing::docker_unavailable())
    KLAB_SKIP(*why + " (JUnit compiled the Testcontainers test and skipped it)");
  const auto& r = junit_run();
  ASSERT_EQ(r.mvn.exit_code, 0) << r.mvn.output;
  EXPECT_EQ(r.tests, 1);
  EXPECT_EQ(r.skipped, 0) << "a Docker engine is here, so the container test must run";
  EXPECT_EQ(r.failures + r.errors, 0) << r.mvn.output;
}

}  // namespace
