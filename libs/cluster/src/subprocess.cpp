#include "klab/cluster/subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "klab/cluster/cluster_error.hpp"

namespace klab::cluster {
namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw ClusterError(std::string("pipe: ") + std::strerror(errno));
  auto args = c_argv(argv);
  pid_t pid = fork();
  if (pid < 0) throw ClusterError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(args[0], args.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  CommandResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200)));
    if (r < 0 && errno == EINTR) continue;
    if (r > 0) {
      ssize_t n = read(fds[0], buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) break;  // EOF: the child closed its output
    }
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!result.timed_out) result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (result.exit_code == 127 && result.output.starts_with("cannot run"))
    throw ClusterError(result.output.substr(0, result.output.find('\n')));
  return result;
}

pid_t spawn_detached(const std::vector<std::string>& argv, const SpawnOptions& options) {
  auto args = c_argv(argv);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw ClusterError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setsid();
    if (options.die_with_parent) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);  // the parent died before prctl took effect
    }
    int log = open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execvp(args[0], args.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  return pid;
}

bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  reap_if_child(pid);
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return false;
  std::string line;
  std::getline(stat, line);
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos || close_paren + 2 >= line.size()) return false;
  char state = line[close_paren + 2];
  return state != 'Z' && state != 'X';
}

std::string process_cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : s)
    if (c == '\0') c = ' ';
  return s;
}

void reap_if_child(pid_t pid) {
  int status;
  waitpid(pid, &status, WNOHANG);
}

std::string tail_file(const std::filesystem::path& file, int lines) {
  std::ifstream in(file);
  if (!in) return {};
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(std::move(line));
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (auto& l : last) out += l + '\n';
  return out;
}

std::string failure_excerpt(const std::filesystem::path& file, int lines) {
  std::ifstream in(file);
  if (!in) return {};
  // A sanitizer report names the fault in its first lines and sums it up in its last: a tail
  // alone would show only stack frames.
  std::vector<std::string> report;
  std::string line, summary;
  while (std::getline(in, line)) {
    bool starts = line.find("ERROR: AddressSanitizer") != std::string::npos ||
                  line.find("ERROR: LeakSanitizer") != std::string::npos ||
                  line.find("runtime error:") != std::string::npos;
    if (starts && report.empty())
      report.push_back(line);
    else if (!report.empty() && static_cast<int>(report.size()) < 3 * lines)
      report.push_back(line);
    if (line.starts_with("SUMMARY: ")) summary = line;
  }
  if (report.empty()) return tail_file(file, lines);
  std::string out;
  for (auto& l : report) out += l + '\n';
  if (!summary.empty() && out.find(summary) == std::string::npos) out += "...\n" + summary + '\n';
  return out;
}

bool process_stopped(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return false;
  bool any = false;
  for (const auto& task : tasks) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    if (!std::getline(in, line)) continue;  // the thread just ended
    // "tid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 >= line.size()) return false;
    char state = line[close + 2];
    if (state != 'T' && state != 't') return false;
    any = true;
  }
  return any;
}

}  // namespace klab::cluster
