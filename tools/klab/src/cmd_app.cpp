// app list|run: the practice systems (apps/<name>), each started with what it needs from the lab
// and stopped, with what it started, on Ctrl-C.
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "commands.hpp"
#include "context.hpp"
#include "interrupt.hpp"
#include "klab/client/admin.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/lab/app_catalog.hpp"

namespace klab::cli {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string app_names() {
  std::string names;
  for (const auto& a : klab::lab::app_catalog()) names += (names.empty() ? "" : ", ") + a.name;
  return names;
}

void cmd_app_list() {
  fmt::print("{:<16} {:<10} {}\n", "APP", "ROADMAP", "WHAT IT IS");
  for (const auto& a : klab::lab::app_catalog())
    fmt::print("{:<16} {:<10} {}{}{}\n", a.name, a.roadmap_id, a.title,
               a.needs_postgres ? "  [PostgreSQL]" : "", a.needs_connect ? "[Kafka Connect]" : "");
  fmt::print("\nrun one: klab app run NAME (its README: apps/NAME/README.md)\n");
}

// argv[0] in the app's build folder, "{state}" replaced by its state folder.
std::vector<std::string> expand(std::vector<std::string> argv, const fs::path& bin_dir,
                                const fs::path& state_dir) {
  argv.front() = (bin_dir / argv.front()).string();
  for (auto& a : argv)
    if (auto at = a.find("{state}"); at != std::string::npos) a.replace(at, 7, state_dir.string());
  return argv;
}

struct Running {
  std::string label;
  klab::cluster::ManagedProcess process;
  fs::path log;
};

void stop_all(std::vector<Running>& running) {
  for (auto it = running.rbegin(); it != running.rend(); ++it) it->process.stop(15s);
}

int cmd_app_run(const std::string& name, std::uint16_t postgres_port) {
  auto app = klab::lab::find_app(name);
  if (!app)
    throw CommandError("no practice system called '" + name + "' (there are: " + app_names() +
                           "; `klab app list` describes them)",
                       2);
  auto ctx = make_context();
  auto exe = fs::read_symlink("/proc/self/exe");
  auto bin_dir = klab::lab::app_program_dir(exe, app->name);
  auto all_programs = app->setup;
  all_programs.insert(all_programs.end(), app->programs.begin(), app->programs.end());
  for (const auto& p : all_programs)
    if (!fs::exists(bin_dir / p.argv.front()))
      throw CommandError(p.argv.front() + " is not built (" + bin_dir.string() +
                         "): run scripts/setup");
  std::size_t brokers = 1;
  try {
    brokers = klab::client::Admin(ctx.client_config()).describe_cluster(10s).brokers.size();
  } catch (const std::exception& e) {
    throw CommandError("cannot reach the cluster at " + ctx.target.describe() + " (" + e.what() +
                       "): start the lab with `klab up`, or set KLAB_BOOTSTRAP");
  }
  catch_interrupts();
  // Every program finds the cluster (and the database) the way klab itself does.
  setenv("KLAB_BOOTSTRAP", ctx.target.bootstrap.c_str(), 1);
  if (ctx.target.properties_file)
    setenv("KLAB_CLIENT_PROPERTIES", ctx.target.properties_file->c_str(), 1);

  std::optional<klab::cluster::Postgres> started_postgres;
  if (app->needs_postgres && !std::getenv("KLAB_POSTGRES")) {
    auto pg = klab::lab::lab_postgres(ctx.paths, postgres_port);
    if (!pg.running()) {
      fmt::print("==> starting PostgreSQL on 127.0.0.1:{} ({})\n", pg.port(),
                 pg.data_dir().string());
      pg.start();
      started_postgres = pg;
    }
    setenv("KLAB_POSTGRES",
           ("host=127.0.0.1 port=" + std::to_string(pg.port()) + " user=klab").c_str(), 1);
  }
  std::optional<klab::cluster::KafkaConnect> started_connect;
  auto dir = ctx.paths.state_dir.parent_path() / "apps" / app->name;
  fs::create_directories(dir);
  std::vector<Running> running;
  auto finish = [&] {
    stop_all(running);
    if (started_connect) started_connect->stop();
    if (started_postgres) started_postgres->stop();
  };
  try {
    if (app->needs_connect) {
      auto connect = klab::lab::lab_connect(ctx.paths, ctx.target.bootstrap,
                                            static_cast<int>(std::min<std::size_t>(brokers, 3)));
      if (!connect.running()) {
        fmt::print("==> starting Kafka Connect, REST API on {} (log {})\n", connect.url(),
                   connect.log_file().string());
        std::fflush(stdout);
        connect.start();
        started_connect = connect;
      }
    }
    for (const auto& p : app->setup) {
      auto argv = expand(p.argv, bin_dir, dir);
      fmt::print("==> {}\n", p.label);
      std::fflush(stdout);
      auto r = klab::cluster::run_command(argv, 180s);
      fmt::print("{}", r.output);
      if (r.exit_code != 0)
        throw CommandError(p.label + " failed (exit " + std::to_string(r.exit_code) +
                           "): see its output above");
    }
    for (const auto& p : app->programs) {
      auto argv = expand(p.argv, bin_dir, dir);
      auto log = dir / (p.label + ".log");
      klab::cluster::ManagedProcess process(dir / (p.label + ".pid"), argv.front());
      process.start(argv, {.log_file = log, .die_with_parent = true});
      running.push_back({p.label, std::move(process), log});
      fmt::print("==> started {} ({}), log {}\n", p.label,
                 fs::path(argv.front()).filename().string(), log.string());
    }
  } catch (...) {
    finish();
    throw;
  }
  fmt::print("{} is running on {}. Ctrl-C stops it.\n", app->name, ctx.target.describe());
  if (!app->try_next.empty()) {
    auto hint = app->try_next;
    if (auto at = hint.find("{bin}"); at != std::string::npos)
      hint.replace(at, 5, bin_dir.string());
    fmt::print("try: {}\n", hint);
  }
  std::fflush(stdout);
  int status = 0;
  while (!interrupted() && status == 0) {
    std::this_thread::sleep_for(200ms);
    for (auto& r : running) {
      // Until it has exec'd, a child shows klab's command line, not its program's.
      if (!r.process.running()) {
        std::this_thread::sleep_for(300ms);
        if (r.process.running()) continue;
        fmt::print(stderr, "klab: {} ended on its own:\n{}\n", r.label,
                   klab::cluster::failure_excerpt(r.log, 10));
        status = 1;
        break;
      }
    }
  }
  fmt::print("==> stopping {}\n", app->name);
  finish();
  fmt::print("stopped{}{}\n", started_postgres ? " (and the PostgreSQL it started)" : "",
             started_connect ? " (and Kafka Connect)" : "");
  return status;
}

}  // namespace

void add_app_commands(CLI::App& app) {
  auto* a = app.add_subcommand("app", "the practice systems: list them, run one against the lab");
  a->require_subcommand(1);
  a->add_subcommand("list", "name every practice system")->callback(cmd_app_list);
  auto* run = a->add_subcommand(
      "run", "start a practice system with what it needs (PostgreSQL ...); Ctrl-C stops it all");
  static std::string name;
  static std::uint16_t postgres_port = klab::lab::default_postgres_port;
  run->add_option("name", name, "the system, e.g. event-logging (see `klab app list`)")->required();
  run->add_option("--postgres-port", postgres_port,
                  "port of the lab's PostgreSQL when this command starts it")
      ->capture_default_str()
      ->check(CLI::Range(1024, 65535));
  run->callback([] {
    int code = cmd_app_run(name, postgres_port);
    if (code != 0) throw CommandError("the app stopped because a program failed", code);
  });
}

}  // namespace klab::cli
