#include "klab/cluster/managed_process.hpp"

#include <signal.h>

#include <fstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

ManagedProcess::ManagedProcess(fs::path pid_file, std::string marker)
    : pid_file_(std::move(pid_file)), marker_(std::move(marker)) {}

pid_t ManagedProcess::pid() const {
  std::ifstream in(pid_file_);
  pid_t pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  if (!process_alive(pid)) return 0;
  if (process_cmdline(pid).find(marker_) == std::string::npos) return 0;
  return pid;
}

pid_t ManagedProcess::start(const std::vector<std::string>& argv, const SpawnOptions& options) {
  pid_t pid = spawn_detached(argv, options);
  std::error_code ec;
  fs::create_directories(pid_file_.parent_path(), ec);
  std::ofstream out(pid_file_);
  out << pid << '\n';
  if (!out) {
    ::kill(pid, SIGKILL);
    reap_if_child(pid);
    throw ClusterError("cannot write the pid file " + pid_file_.string());
  }
  return pid;
}

pid_t ManagedProcess::request_stop() {
  pid_t p = pid();
  if (!p) {
    std::error_code ec;
    fs::remove(pid_file_, ec);
    return 0;
  }
  ::kill(p, SIGCONT);
  ::kill(p, SIGTERM);
  return p;
}

void ManagedProcess::await_stopped(pid_t pid, std::chrono::milliseconds grace) {
  if (pid > 0) {
    auto gone = [&] {
      reap_if_child(pid);
      return !process_alive(pid);
    };
    if (!await_until(gone, grace, 50ms)) {
      ::kill(pid, SIGKILL);
      await_until(gone, 10s, 20ms);
    }
  }
  std::error_code ec;
  fs::remove(pid_file_, ec);
}

bool ManagedProcess::stop(std::chrono::milliseconds grace) {
  pid_t p = request_stop();
  await_stopped(p, grace);
  return p != 0;
}

bool ManagedProcess::kill() {
  pid_t p = pid();
  if (p) {
    ::kill(p, SIGKILL);
    await_until(
        [&] {
          reap_if_child(p);
          return !process_alive(p);
        },
        10s, 20ms);
  }
  std::error_code ec;
  fs::remove(pid_file_, ec);
  return p != 0;
}

}  // namespace klab::cluster
