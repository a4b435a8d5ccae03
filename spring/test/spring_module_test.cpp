// Phase 6 in real Spring Kafka: runs the Spring Boot module's JUnit lessons (spring/src/test,
// @EmbeddedKafka in KRaft mode) with Maven, offline, once, and reports each Java lesson as its
// own test tagged with the roadmap row it proves, so `klab progress` lists them beside the C++
// twins.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "klab/cluster/subprocess.hpp"
#include "klab/testing/docker_engine.hpp"
#include "klab/testing/program_files.hpp"
#include "klab/testing/skip.hpp"

namespace {
using klab::testing::read_text;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path root = KLAB_SOURCE_DIR;
const fs::path reports = root / ".klab" / "spring" / "target" / "surefire-reports";

const klab::cluster::CommandResult& maven_run() {
  static const klab::cluster::CommandResult run = [] {
    fs::remove_all(reports);
    return klab::cluster::run_command(
        {"mvn", "-o", "-q", "-B", "-f", (root / "spring" / "pom.xml").string(), "test"}, 600s);
  }();
  return run;
}

// The outcome surefire recorded for Class#method: "passed", "failed", "skipped" or "missing".
std::string outcome(const std::string& cls, const std::string& method) {
  maven_run();
  auto xml = read_text(reports / ("TEST-dev.kafkalab.spring." + cls + ".xml"));
  // Plain search: std::regex recurses per character and overflows on surefire's long output.
  auto at = xml.find("<testcase name=\"" + method + "\"");
  if (at == std::string::npos) return "missing";
  auto end = xml.find("<testcase ", at + 1);
  if (end == std::string::npos) end = xml.find("</testsuite>", at);
  std::string body = xml.substr(at, end == std::string::npos ? std::string::npos : end - at);
  if (body.find("<failure") != std::string::npos || body.find("<error") != std::string::npos)
    return "failed";
  if (body.find("<skipped") != std::string::npos) return "skipped";
  return "passed";
}

void expect_passed(const std::string& cls, const std::string& method) {
  EXPECT_EQ(outcome(cls, method), "passed")
      << cls << "#" << method << "; see " << reports.string() << "\n"
      << maven_run().output.substr(0, 20000);
}

TEST(SpringKafka, TheModuleBuildsAndRunsOfflineOnTheBootParentsSpringKafka) {
  ::testing::Test::RecordProperty("roadmap", "6.1.1");
  const auto& r = maven_run();
  ASSERT_EQ(r.exit_code, 0) << "run scripts/setup first (it resolves the module)\n"
                            << r.output.substr(0, 20000);
  EXPECT_TRUE(fs::exists(reports / "TEST-dev.kafkalab.spring.KafkaTemplateTest.xml"));
}

TEST(SpringKafka, KafkaTemplateSendResultCarriesThePartitionAndOffset) {
  ::testing::Test::RecordProperty("roadmap", "6.1.2");
  expect_passed("KafkaTemplateTest", "sendResultCarriesThePartitionAndOffsetTheBrokerGave");
}

TEST(SpringKafka, KafkaTemplateCallbacksAndProducerListenerHearEverySendOnceInOrder) {
  ::testing::Test::RecordProperty("roadmap", "6.1.2");
  expect_passed("KafkaTemplateTest", "callbacksAndTheProducerListenerHearEverySendOnceInOrder");
}

TEST(SpringKafka, KafkaTemplateRefusesARecordOverMaxRequestSize) {
  ::testing::Test::RecordProperty("roadmap", "6.1.2");
  expect_passed("KafkaTemplateTest",
                "aRecordOverMaxRequestSizeIsRefusedWithRecordTooLargeException");
}

TEST(SpringKafka, KafkaListenerReceivesWhatTheTemplateSent) {
  ::testing::Test::RecordProperty("roadmap", "6.1.3");
  expect_passed("KafkaListenerTest", "aListenerReceivesWhatTheTemplateSent");
}

TEST(SpringKafka, TopicPatternListenerReadsEveryMatchingTopicAlsoOneCreatedLater) {
  ::testing::Test::RecordProperty("roadmap", "6.1.3");
  expect_passed("KafkaListenerTest",
                "aTopicPatternListenerReadsEveryMatchingTopicAlsoOneCreatedLater");
}

TEST(SpringKafka, TheLabsClientPropertiesFileBecomesSpringKafkaProperties) {
  ::testing::Test::RecordProperty("roadmap", "6.1.1");
  for (const char* method :
       {"saslUserAndPasswordBecomeAJaasLineAndTheFilesAddressWins",
        "aClientCertificateAndKeyBecomeAPemKeyStore", "aMissingFileStopsTheAppNamingItAndWhatToDo",
        "withoutTheVariableNothingChanges"})
    expect_passed("LabClusterEnvironmentTest", method);
}

TEST(SpringKafka, DefaultErrorHandlerRetriesTwiceThenPublishesToTheDltWithExceptionHeaders) {
  ::testing::Test::RecordProperty("roadmap", "6.2.1");
  expect_passed("ErrorHandlingTest",
                "afterTwoRetriesTheRecordGoesToTheDltWithTheExceptionInItsHeaders");
}

TEST(SpringKafka, RetryableTopicWithFixedBackOffUsesOneRetryTopicThenTheDlt) {
  ::testing::Test::RecordProperty("roadmap", "6.2.2");
  expect_passed("ErrorHandlingTest",
                "aRetryableTopicWithFixedBackOffRetriesOnOneRetryTopicThenTheDlt");
}

TEST(SpringKafka, BatchListenerGetsListsOfRecords) {
  ::testing::Test::RecordProperty("roadmap", "6.2.3");
  expect_passed("KafkaListenerTest", "aBatchListenerGetsListsOfRecords");
}

TEST(SpringKafka, ConcurrencyThreeSplitsSixPartitionsOverThreeThreads) {
  ::testing::Test::RecordProperty("roadmap", "6.2.4");
  expect_passed("KafkaListenerTest", "concurrencyThreeSplitsSixPartitionsOverThreeThreads");
}

TEST(SpringKafka, TestcontainersKafkaServesASpringBootAppWhereDockerRuns) {
  ::testing::Test::RecordProperty("roadmap", "6.3.2");
  const std::string method = "aSpringBootAppSendsAndReceivesThroughAKafkaContainer";
  if (auto why = klab::testing::docker_unavailable()) {
    ASSERT_EQ(outcome("TestcontainersKafkaTest", method), "skipped")
        << "without Docker JUnit must skip it, not fail or lose it";
    KLAB_SKIP(*why + " (JUnit compiled the Spring Testcontainers test and skipped it)");
  }
  expect_passed("TestcontainersKafkaTest", method);
}

TEST(SpringKafka, EmbeddedKafkaInKRaftModeRunsEveryJavaLesson) {
  ::testing::Test::RecordProperty("roadmap", "6.3.1");
  int tests = 0, problems = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(reports, ec)) {
    if (e.path().extension() != ".xml") continue;
    // Not on @EmbeddedKafka: the Testcontainers lesson (its own test above) and the
    // properties-mapping unit test.
    if (e.path().filename().string().find("Testcontainers") != std::string::npos ||
        e.path().filename().string().find("LabClusterEnvironment") != std::string::npos)
      continue;
    // Only the <testsuite ...> tag: the counts are its attributes.
    auto xml = read_text(e.path());
    auto open = xml.find("<testsuite ");
    auto head = xml.substr(open, xml.find('>', open) - open);
    std::smatch m;
    for (const char* attr : {"tests", "failures", "errors", "skipped"})
      if (std::regex_search(head, m, std::regex(std::string(" ") + attr + "=\"([0-9]+)\"")))
        (std::string(attr) == "tests" ? tests : problems) += std::stoi(m[1]);
  }
  EXPECT_EQ(tests, 9) << "every Java lesson ran on an @EmbeddedKafka broker";
  EXPECT_EQ(problems, 0);
}

}  // namespace
