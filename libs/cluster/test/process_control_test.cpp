// Fault injection's building block: a SIGSTOPped process counts as stopped only once every one
// of its threads is.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

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

}  // namespace
