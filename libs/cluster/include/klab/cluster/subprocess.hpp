#pragma once
// Just enough process control for JVM nodes and Kafka's command-line tools.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace klab::cluster {

struct CommandResult {
  int exit_code = -1;  ///< -1 when killed on timeout
  std::string output;  ///< stdout and stderr, interleaved
  bool timed_out = false;
};

/// Runs argv[0] (searched in PATH) to completion and captures its output.
/// Throws ClusterError when the program cannot be started.
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

struct SpawnOptions {
  std::filesystem::path log_file;  ///< stdout and stderr go here (appended)
  /// Kill the child when the spawning process dies: test clusters must not outlive their test.
  bool die_with_parent = false;
};

/// Starts argv in its own session (so a terminal's Ctrl-C does not reach it) and returns its pid.
pid_t spawn_detached(const std::vector<std::string>& argv, const SpawnOptions& options);

/// True while the process exists and is not a zombie.
bool process_alive(pid_t pid);
/// True when every thread of the process is stopped (state T in /proc): after SIGSTOP, kill()
/// returns before a thread busy on another core has actually stopped.
bool process_stopped(pid_t pid);
/// The process's command line with NULs turned into spaces ("" when it is gone).
std::string process_cmdline(pid_t pid);
/// Reaps pid if it is our child; harmless otherwise.
void reap_if_child(pid_t pid);

/// The last `lines` lines of a text file ("" when it cannot be read).
std::string tail_file(const std::filesystem::path& file, int lines);

/// What a log says about why its process failed: a sanitizer report from its first line (up to
/// 3 × `lines`, plus its SUMMARY line) when there is one, otherwise the last `lines` lines.
std::string failure_excerpt(const std::filesystem::path& file, int lines);

}  // namespace klab::cluster
