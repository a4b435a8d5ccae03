// env.compose and 1.2.1 for real: where a Docker engine is present, start
// kafka/docker-compose.yml, run the Phase 1 lessons against it through KLAB_BOOTSTRAP, check
// that Kafka UI sees the cluster, and take it down. Without Docker it skips and says why;
// compose_test.cpp then checks the file statically.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "klab/cluster/defaults.hpp"
#include "klab/testing/docker_engine.hpp"
#include "klab/testing/skip.hpp"

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::run_command;

const fs::path compose_file = fs::path(KLAB_SOURCE_DIR) / "kafka" / "docker-compose.yml";

// Takes the compose project down (volumes too) however the test ends.
struct ComposeProject {
  std::string name = "klab-compose-test";
  klab::cluster::CommandResult up() {
    return run_command({"docker", "compose", "-p", name, "-f", compose_file.string(), "up", "-d",
                        "--wait", "--wait-timeout", "300"},
                       420s);
  }
  ~ComposeProject() {
    run_command({"docker", "compose", "-p", name, "-f", compose_file.string(), "down", "-v"}, 180s);
  }
};

TEST(DockerComposeLive, PhaseOneLessonsPassAgainstTheComposeClusterAndKafkaUiSeesIt) {
  ::testing::Test::RecordProperty("roadmap", "env.compose");
  if (auto why = klab::testing::docker_unavailable()) KLAB_SKIP(*why);
  ComposeProject project;
  auto up = project.up();
  ASSERT_EQ(up.exit_code, 0) << up.output;

  // The lessons' own binary, pointed at the compose brokers; its report goes elsewhere so the
  // lab's results keep only the lab's own run.
  auto report = fs::temp_directory_path() / "klab-compose-p1.json";
  fs::remove(report);
  auto lessons = run_command({"env", "KLAB_BOOTSTRAP=" + klab::cluster::defaults::bootstrap_for(3),
                              "GTEST_OUTPUT=json:" + report.string(), KLAB_P1_LESSONS},
                             900s);
  EXPECT_EQ(lessons.exit_code, 0) << lessons.output;
  std::ifstream in(report);
  ASSERT_TRUE(in) << "the Phase 1 binary wrote no report: " << lessons.output;
  auto j = nlohmann::json::parse(in);
  EXPECT_GT(j.value("tests", 0), 0);
  EXPECT_EQ(j.value("failures", -1), 0) << lessons.output;

  // Kafka UI (published on 8081) lists the cluster as online: it reached the brokers.
  httplib::Client ui("127.0.0.1", 8081);
  ui.set_read_timeout(30, 0);
  auto res = ui.Get("/api/clusters");
  ASSERT_TRUE(res) << "Kafka UI did not answer on 127.0.0.1:8081";
  ASSERT_EQ(res->status, 200) << res->body;
  auto clusters = nlohmann::json::parse(res->body);
  ASSERT_EQ(clusters.size(), 1u) << res->body;
  EXPECT_EQ(clusters[0].value("status", ""), "online") << res->body;
}

}  // namespace
