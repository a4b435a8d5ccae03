#include "klab/lab/roadmap.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "klab/cluster/lab_paths.hpp"

namespace {
namespace fs = std::filesystem;
using namespace klab::lab;

class RoadmapProgress : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "klab-roadmap-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    std::ofstream(dir_ / "roadmap.json") << R"({"version":1,
      "phases":[{"id":"1","title":"Phase 1"}],
      "items":[
        {"id":"1.1.1","phase":"1","section":"1.1","title":"passes","tests":["A.Pass","A.Pass2"]},
        {"id":"1.1.2","phase":"1","section":"1.1","title":"fails","tests":["A.Pass","A.Fail"]},
        {"id":"1.1.3","phase":"1","section":"1.1","title":"skipped","tests":["A.Skip"]},
        {"id":"1.1.4","phase":"1","section":"1.1","title":"missing","tests":["A.Nowhere"]},
        {"id":"1.1.5","phase":"1","section":"1.1","title":"uncovered","tests":[]},
        {"id":"1.1.6","phase":"1","section":"1.1","title":"static","tests":["A.Skip"],
         "static_checks":["A.Pass"]},
        {"id":"1.1.7","phase":"1","section":"1.1","title":"static fails","tests":["A.Skip"],
         "static_checks":["A.Fail"]},
        {"id":"1.1.8","phase":"1","section":"1.1","title":"twice","tests":["B.Twice"]}]})";
    fs::create_directories(dir_ / "results");
    // The shape GoogleTest writes with --gtest_output=json.
    std::ofstream(dir_ / "results" / "a.json") << R"({"testsuites":[{"name":"A","testsuite":[
        {"name":"Pass","status":"RUN","result":"COMPLETED"},
        {"name":"Pass2","status":"RUN","result":"COMPLETED"},
        {"name":"Fail","status":"RUN","result":"COMPLETED","failures":[{"failure":"x"}]},
        {"name":"Skip","status":"RUN","result":"SKIPPED","skip_reason":"no Docker engine"}]},
        {"name":"B","testsuite":[{"name":"Twice","status":"RUN","result":"COMPLETED"}]}]})";
    // The same test in a second report (a binary run twice): the skip wins over the pass.
    std::ofstream(dir_ / "results" / "b.json") << R"({"testsuites":[{"name":"B","testsuite":[
        {"name":"Twice","status":"RUN","result":"SKIPPED"}]}]})";
    std::ofstream(dir_ / "results" / "broken.json") << "{ truncated";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RoadmapProgress, EachItemTakesTheStateOfItsTests) {
  auto roadmap = Roadmap::load(dir_ / "roadmap.json");
  auto reports = evaluate(roadmap, load_results(dir_ / "results"));
  ASSERT_EQ(reports.size(), 8u);
  EXPECT_EQ(reports[0].state, ItemState::passed);
  EXPECT_EQ(reports[1].state, ItemState::failed);
  EXPECT_EQ(reports[2].state, ItemState::not_run) << "a skipped test proves nothing";
  EXPECT_EQ(reports[3].state, ItemState::not_run) << "a listed test with no result";
  EXPECT_EQ(reports[4].state, ItemState::not_covered);
  EXPECT_EQ(reports[1].failed, 1);
  EXPECT_EQ(reports[1].passed, 1);
  EXPECT_EQ(reports[5].state, ItemState::checked_statically)
      << "the real test was skipped, the static check passed: not a ✅";
  EXPECT_EQ(reports[5].reason, "A.Skip was skipped: no Docker engine");
  EXPECT_EQ(reports[6].state, ItemState::failed) << "a failed static check fails the item";
  EXPECT_EQ(reports[7].state, ItemState::not_run) << "skipped in one report, passed in another";
}

TEST_F(RoadmapProgress, ClearingResultsLeavesNoEarlierReportToCount) {
  EXPECT_EQ(clear_results(dir_ / "results"), 3);
  auto reports = evaluate(Roadmap::load(dir_ / "roadmap.json"), load_results(dir_ / "results"));
  for (const auto& r : reports)
    EXPECT_NE(r.state, ItemState::passed) << r.item->id << " kept a ✅ from the cleared run";
}

TEST_F(RoadmapProgress, StaticChecksWithoutTestsAreRefused) {
  std::ofstream(dir_ / "static.json") << R"({"phases":[],"items":[
      {"id":"x","phase":"1","title":"t","tests":[],"static_checks":["A.Pass"]}]})";
  EXPECT_THROW(Roadmap::load(dir_ / "static.json"), std::runtime_error);
}

TEST_F(RoadmapProgress, BrokenRoadmapFileIsNamedInTheError) {
  std::ofstream(dir_ / "bad.json") << R"({"phases":[],"items":[{"id":"x"}]})";
  try {
    Roadmap::load(dir_ / "bad.json");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos) << e.what();
  }
}

TEST(RoadmapFile, ListsEveryItemOfTheLearningRoadmap) {
  auto roadmap = Roadmap::load(klab::cluster::LabPaths::discover().home / "roadmap.json");
  int checklist = 0, env = 0, projects = 0;
  for (const auto& i : roadmap.items) {
    if (i.phase == "env")
      ++env;
    else if (i.phase == "projects")
      ++projects;
    else
      ++checklist;
  }
  EXPECT_EQ(checklist, 85);
  EXPECT_EQ(env, 2);
  EXPECT_EQ(projects, 5);
}

}  // namespace
