#include "console_process.hpp"

#include <fmt/core.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "context.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/defaults.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cli {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path console_state_dir(const klab::cluster::LabPaths& paths) {
  return paths.state_dir.parent_path() / "console";
}

namespace {

bool answers_http(std::uint16_t port) {
  httplib::Client client(klab::cluster::defaults::host, port);
  client.set_connection_timeout(1s);
  client.set_read_timeout(2s);
  auto res = client.Get("/api/config");
  return res && res->status == 200;
}

}  // namespace

std::optional<ConsoleProcess> running_console(const klab::cluster::LabPaths& paths) {
  std::ifstream in(console_state_dir(paths) / "pid");
  ConsoleProcess p;
  if (!(in >> p.pid >> p.port)) return std::nullopt;
  // A recycled pid would belong to another program: check it is still a klab console.
  if (!klab::cluster::process_alive(p.pid) ||
      klab::cluster::process_cmdline(p.pid).find(" console") == std::string::npos)
    return std::nullopt;
  return p;
}

ConsoleProcess start_background_console(const klab::cluster::LabPaths& paths, std::uint16_t port) {
  if (auto running = running_console(paths)) return *running;
  auto dir = console_state_dir(paths);
  // Like the cluster's ports, the console's port is remembered: a plain `klab up` reuses it.
  if (port == 0) {
    std::ifstream remembered(dir / "port");
    if (!(remembered >> port)) port = klab::cluster::defaults::console_port;
  }
  if (!klab::cluster::port_free(port))
    throw CommandError(
        fmt::format("the console's port {} on 127.0.0.1 is already in use: stop what holds it "
                    "(`ss -ltnp 'sport = :{}'`) or choose another with `klab up --console-port N`",
                    port, port));
  fs::create_directories(dir);
  std::ofstream(dir / "port") << port << '\n';
  auto log = dir / "console.log";
  auto exe = fs::read_symlink("/proc/self/exe").string();
  pid_t pid = klab::cluster::spawn_detached({exe, "console", "--port", std::to_string(port)},
                                            {.log_file = log, .die_with_parent = false});
  std::ofstream(dir / "pid") << pid << ' ' << port << '\n';
  bool ready = klab::cluster::await_until(
      [&] { return !klab::cluster::process_alive(pid) || answers_http(port); }, 20s, 100ms);
  if (!ready || !klab::cluster::process_alive(pid)) {
    if (klab::cluster::process_alive(pid)) ::kill(pid, SIGKILL);
    klab::cluster::reap_if_child(pid);
    fs::remove(dir / "pid");
    throw CommandError(fmt::format("the console did not start; the end of {} says:\n{}",
                                   log.string(), klab::cluster::tail_file(log, 15)));
  }
  return {pid, port};
}

bool stop_background_console(const klab::cluster::LabPaths& paths) {
  auto running = running_console(paths);
  fs::remove(console_state_dir(paths) / "pid");
  if (!running) return false;
  ::kill(running->pid, SIGTERM);
  if (!klab::cluster::await_until([&] { return !klab::cluster::process_alive(running->pid); }, 5s,
                                  50ms))
    ::kill(running->pid, SIGKILL);
  klab::cluster::reap_if_child(running->pid);
  return true;
}

}  // namespace klab::cli
