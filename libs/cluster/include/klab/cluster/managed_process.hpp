#pragma once
// A long-running process of the lab (a Kafka node, the console, later a database or a registry)
// known by its pid file: started detached, recognised again by a later command, stopped with
// SIGTERM and, after a grace period, SIGKILL.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {

class ManagedProcess {
 public:
  /// `pid_file` holds the pid; `marker` is text its command line must contain, so a pid the
  /// kernel recycled for another program is never taken for ours.
  ManagedProcess(std::filesystem::path pid_file, std::string marker);

  /// The pid when the pid file names a live process whose command line has the marker, else 0.
  /// Errors: none.
  pid_t pid() const;
  bool running() const { return pid() != 0; }
  const std::filesystem::path& pid_file() const { return pid_file_; }

  /// Starts `argv` detached (see spawn_detached) and writes the pid file.
  /// Errors: ClusterError when the program cannot be started or the pid file written.
  pid_t start(const std::vector<std::string>& argv, const SpawnOptions& options);

  /// Sends SIGCONT (a paused process cannot act on SIGTERM) and SIGTERM; returns the pid
  /// signalled, 0 when none was running. Pair with await_stopped() to stop several at once.
  /// Errors: none.
  pid_t request_stop();
  /// Waits up to `grace` for `pid` to exit, then SIGKILLs it and waits briefly; removes the pid
  /// file. Errors: none.
  void await_stopped(pid_t pid, std::chrono::milliseconds grace);
  /// request_stop() then await_stopped(). Returns whether it was running. Errors: none.
  bool stop(std::chrono::milliseconds grace);
  /// SIGKILL now (a crash, no clean shutdown) and remove the pid file. Returns whether it was
  /// running. Errors: none.
  bool kill();

 private:
  std::filesystem::path pid_file_;
  std::string marker_;
};

}  // namespace klab::cluster
