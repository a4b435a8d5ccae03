#include "klab/lab/console_process.hpp"

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <fstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/defaults.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

klab::cluster::ManagedProcess console_process(const klab::cluster::LabPaths& paths) {
  // A recycled pid would belong to another program: the console runs as `klab console`.
  return {paths.console_dir / "pid", " console"};
}

std::uint16_t read_port(const fs::path& file) {
  std::ifstream in(file);
  std::uint16_t port = 0;
  return in >> port ? port : 0;
}

bool answers_http(std::uint16_t port) {
  httplib::Client client(klab::cluster::defaults::host, port);
  client.set_connection_timeout(1s);
  client.set_read_timeout(2s);
  auto res = client.Get("/api/config");
  return res && res->status == 200;
}

}  // namespace

std::optional<ConsoleProcess> running_console(const klab::cluster::LabPaths& paths) {
  pid_t pid = console_process(paths).pid();
  if (!pid) return std::nullopt;
  return ConsoleProcess{pid, read_port(paths.console_dir / "port")};
}

ConsoleProcess start_background_console(const klab::cluster::LabPaths& paths, const fs::path& klab,
                                        std::uint16_t port) {
  if (auto running = running_console(paths)) return *running;
  const auto& dir = paths.console_dir;
  // Like the cluster's ports, the console's port is remembered: a plain `klab up` reuses it.
  if (port == 0) port = read_port(dir / "port");
  if (port == 0) port = klab::cluster::defaults::console_port;
  if (!klab::cluster::port_free(port))
    throw LabError(
        LabError::Kind::conflict,
        fmt::format("the console's port {} on 127.0.0.1 is already in use: stop what holds it "
                    "(`ss -ltnp 'sport = :{}'`) or choose another with `klab up --console-port N`",
                    port, port));
  fs::create_directories(dir);
  std::ofstream(dir / "port") << port << '\n';
  auto log = dir / "console.log";
  auto process = console_process(paths);
  pid_t pid = process.start({klab.string(), "console", "--port", std::to_string(port)},
                            {.log_file = log, .die_with_parent = false});
  bool ready = klab::cluster::await_until(
      [&] { return !klab::cluster::process_alive(pid) || answers_http(port); }, 20s, 100ms);
  if (!ready || !klab::cluster::process_alive(pid)) {
    process.kill();
    throw LabError(LabError::Kind::failed,
                   fmt::format("the console did not start; the end of {} says:\n{}", log.string(),
                               klab::cluster::failure_excerpt(log, 15)));
  }
  return {pid, port};
}

bool stop_background_console(const klab::cluster::LabPaths& paths) {
  return console_process(paths).stop(5s);
}

}  // namespace klab::lab
