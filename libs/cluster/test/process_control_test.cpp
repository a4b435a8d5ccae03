// Fault injection's building block: a SIGSTOPped process counts as stopped only once every one
// of its threads is.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/subprocess.hpp"

namespace {
using namespace std::chrono_literals;
using namespace klab::cluster;

TEST(ProcessControl, StoppedAfterSigstopAndRunningAgainAfterSigcont) {
  auto log = std::filesystem::temp_directory_path() / "klab-process-control-test.log";
  pid_t pid = spawn_detached({"sleep", "30"}, {.log_file = log, .die_with_parent = true});
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(process_stopped(pid)) << "a sleeping process is not stopped";
  kill(pid, SIGSTOP);
  EXPECT_TRUE(await_until([&] { return process_stopped(pid); }, 5s, 5ms));
  kill(pid, SIGCONT);
  EXPECT_TRUE(await_until([&] { return !process_stopped(pid); }, 5s, 5ms));
  kill(pid, SIGKILL);
  reap_if_child(pid);
  EXPECT_FALSE(process_stopped(pid)) << "a process that is gone is not stopped";
  std::filesystem::remove(log);
}

TEST(FailureExcerpt, ShowsASanitizerReportFromItsFirstLineAndItsSummary) {
  auto file = std::filesystem::temp_directory_path() /
              ("klab-excerpt-" + std::to_string(::getpid()) + ".log");
  {
    std::ofstream out(file);
    out << "console listening on http://127.0.0.1:8080\n"
        << "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\n";
    for (int i = 0; i < 100; ++i) out << "    #" << i << " frame\n";
    out << "SUMMARY: AddressSanitizer: heap-use-after-free x.cpp:1 in f\n";
  }
  auto excerpt = failure_excerpt(file, 5);
  EXPECT_TRUE(excerpt.starts_with("==1==ERROR: AddressSanitizer: heap-use-after-free")) << excerpt;
  EXPECT_NE(excerpt.find("SUMMARY: AddressSanitizer: heap-use-after-free"), std::string::npos);
  EXPECT_EQ(excerpt.find("#20 frame"), std::string::npos) << "at most 3 x 5 lines of the report";
  std::filesystem::remove(file);
}

TEST(FailureExcerpt, IsTheTailOfALogWithoutASanitizerReport) {
  auto file = std::filesystem::temp_directory_path() /
              ("klab-excerpt-tail-" + std::to_string(::getpid()) + ".log");
  {
    std::ofstream out(file);
    for (int i = 1; i <= 10; ++i) out << "line " << i << "\n";
  }
  EXPECT_EQ(failure_excerpt(file, 2), "line 9\nline 10\n");
  std::filesystem::remove(file);
}

}  // namespace
