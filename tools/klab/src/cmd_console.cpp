// console: the lab's web console (topics, messages, groups, metrics, lessons) in the foreground
// until Ctrl-C. `klab up` runs the same command in the background.
#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <random>
#include <system_error>
#include <thread>

#include "commands.hpp"
#include "context.hpp"
#include "interrupt.hpp"
#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/defaults.hpp"
#include "klab/console/console_server.hpp"
#include "klab/lab/lab_registry.hpp"

namespace klab::cli {
namespace {

struct ConsoleFlags {
  std::uint16_t port = klab::cluster::defaults::console_port;
  std::string host = klab::cluster::defaults::host;
  bool read_only = false;
  std::int64_t refresh_ms = 5000;
  std::string web_root;
};

std::string random_token() {
  static constexpr char hex[] = "0123456789abcdef";
  std::random_device rd;
  std::string t;
  for (int i = 0; i < 32; ++i) t += hex[rd() % 16];
  return t;
}

void cmd_console(const ConsoleFlags& f) {
  auto ctx = make_context();
  klab::console::ConsoleOptions o;
  o.host = f.host;
  o.port = f.port;
  o.read_only = f.read_only;
  o.refresh = std::chrono::milliseconds(f.refresh_ms);
  o.web_root = f.web_root.empty() ? ctx.paths.home / "console" / "web" / "dist"
                                  : std::filesystem::path(f.web_root);
  o.target = ctx.target;
  o.metrics_urls = klab::cluster::metrics_urls(ctx.paths);
  o.roadmap_file = ctx.paths.roadmap_file;
  o.results_dir = ctx.paths.results_dir;
  o.registry_url = klab::lab::registry_url(ctx.paths);

  if (!klab::console::is_loopback_host(f.host)) {
    o.access_token = random_token();
    fmt::print(stderr,
               "klab: warning: --host {} makes the console reachable from other machines: every "
               "request needs the access token below (add --read-only to forbid changes)\n",
               f.host);
  }
  klab::console::ConsoleServer server(o);
  try {
    server.start();
  } catch (const std::system_error& e) {
    throw CommandError(
        fmt::format("{}: port {} is taken (another `klab console`?); choose "
                    "another with --port N, or --port 0 for any free port",
                    e.what(), f.port));
  }
  fmt::print("Kafka Lab console: http://{}:{}/{}  (cluster {}{}{})\nCtrl-C stops it.\n", f.host,
             server.port(), o.access_token.empty() ? "" : "?token=" + o.access_token,
             ctx.target.describe(), f.read_only ? ", read-only" : "",
             o.metrics_urls.empty() ? ", no broker metrics" : "");
  std::fflush(stdout);
  catch_interrupts();
  while (!interrupted()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  server.stop();
  fmt::print("console stopped\n");
}

}  // namespace

void add_console_command(CLI::App& app) {
  static ConsoleFlags f;
  auto* c = app.add_subcommand(
      "console", "The web console: topics, messages, consumer groups, broker metrics, lessons");
  c->add_option("--port,-p", f.port, "HTTP port (0: any free port)")->capture_default_str();
  c->add_option("--host", f.host, "address to listen on (loopback unless you mean otherwise)")
      ->capture_default_str();
  c->add_flag("--read-only", f.read_only, "refuse every change (create, delete, produce, reset)");
  add_duration_option(*c, "--refresh", f.refresh_ms,
                      "how often the cached cluster picture is re-read (e.g. 5s, 500ms, 1m)", 200)
      ->default_str("5s");
  c->add_option("--web-root", f.web_root, "the built front end (default: <lab>/console/web/dist)");
  c->callback([] { cmd_console(f); });
}

}  // namespace klab::cli
