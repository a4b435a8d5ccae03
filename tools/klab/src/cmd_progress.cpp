// progress: the roadmap by phase with what the latest test run proved.
#include <fmt/core.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "commands.hpp"
#include "context.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/lab/roadmap.hpp"

namespace klab::cli {
namespace {
namespace fs = std::filesystem;
using namespace klab::lab;

struct ProgressOptions {
  bool run = false;
  bool summary = false;
  bool strict = false;
  std::string phase;
};

fs::path build_dir_of_this_binary() {
  // build/<preset>/tools/klab/klab -> build/<preset>
  return fs::read_symlink("/proc/self/exe").parent_path().parent_path().parent_path();
}

void run_suite(const Context& ctx) {
  auto build = build_dir_of_this_binary();
  if (!fs::exists(build / "CTestTestfile.cmake"))
    throw CommandError("no CTest build next to this klab (" + build.string() +
                       "): run scripts/test instead");
  fs::create_directories(ctx.paths.results_dir);
  // A binary that now crashes, times out or cannot start its cluster writes no report: an
  // earlier run's must not stand in for it.
  int cleared = clear_results(ctx.paths.results_dir);
  fmt::print(
      "Running the suite in {} (this takes a few minutes; {} earlier report(s) "
      "cleared)...\n",
      build.string(), cleared);
  std::fflush(stdout);
  // Inherit the terminal so the learner sees CTest's own progress. A build under build/<preset>
  // runs through its test preset, as scripts/test does: the same jobs and sanitizer options.
  const char* jobs = std::getenv("KLAB_TEST_JOBS");
  std::string parallel = jobs && *jobs ? std::string(" -j") + jobs : "";
  std::string cmd =
      build.parent_path() == ctx.paths.home / "build"
          ? "cd '" + ctx.paths.home.string() + "' && ctest --preset " + build.filename().string()
          : "ctest --test-dir '" + build.string() + "' -j6 --output-on-failure";
  cmd += parallel;
  if (std::system(cmd.c_str()) != 0) fmt::print("Some tests failed; see above.\n");
}

void cmd_progress(const ProgressOptions& o) {
  auto ctx = make_context();
  if (o.run) run_suite(ctx);
  auto roadmap = Roadmap::load(ctx.paths.roadmap_file);
  const auto& results_dir = ctx.paths.results_dir;
  auto results = load_results(results_dir);
  auto reports = evaluate(roadmap, results);

  std::map<std::string, std::map<ItemState, int>> per_phase;
  std::map<ItemState, int> total;
  for (const auto& r : reports) {
    ++per_phase[r.item->phase][r.state];
    ++total[r.state];
  }
  if (results.empty())
    fmt::print("No test results yet in {}: run `scripts/test` or `klab progress --run`.\n\n",
               results_dir.string());

  for (const auto& phase : roadmap.phases) {
    if (!o.phase.empty() && o.phase != phase.id) continue;
    auto& c = per_phase[phase.id];
    fmt::print("{}  ✅ {}  ❌ {}  🔎 {}  ⏳ {}  ⬜ {}\n", phase.title, c[ItemState::passed],
               c[ItemState::failed], c[ItemState::checked_statically], c[ItemState::not_run],
               c[ItemState::not_covered]);
    if (o.summary) continue;
    std::string section;
    for (const auto& r : reports) {
      if (r.item->phase != phase.id) continue;
      if (r.item->section != section) {
        section = r.item->section;
        if (section != phase.title) fmt::print("  {}\n", section);
      }
      std::string detail;
      if (!r.item->tests.empty()) {
        detail = fmt::format("  ({}/{} tests passed", r.passed, r.item->tests.size());
        if (r.failed) detail += fmt::format(", {} failed", r.failed);
        if (r.skipped) detail += fmt::format(", {} skipped", r.skipped);
        if (r.missing) detail += fmt::format(", {} without a result", r.missing);
        detail += ")";
      }
      fmt::print("    {} {:<7} {}{}\n", symbol(r.state), r.item->id, r.item->title, detail);
      if (!r.reason.empty() && r.state == ItemState::checked_statically)
        fmt::print("              checked statically only ({} static check(s) passed): {}\n",
                   r.item->static_checks.size(), r.reason);
    }
    fmt::print("\n");
  }
  fmt::print(
      "Total {} items: ✅ {} passed  ❌ {} failed  🔎 {} checked statically  ⏳ {} not run  ⬜ {} "
      "not yet covered\n",
      reports.size(), total[ItemState::passed], total[ItemState::failed],
      total[ItemState::checked_statically], total[ItemState::not_run],
      total[ItemState::not_covered]);
  fmt::print(
      "Legend: ✅ every test of the item passed in the latest run; ❌ one failed; 🔎 its real "
      "test cannot run here (the reason is shown) and only static checks passed; ⏳ a test has "
      "no result (not run, or skipped); ⬜ no test yet.\n");
  if (o.strict && (total[ItemState::failed] || total[ItemState::not_run]))
    throw CommandError("the roadmap lists tests that failed or did not run (see ❌ and ⏳ above)");
}

}  // namespace

void add_progress_command(CLI::App& app) {
  static ProgressOptions o;
  auto* c = app.add_subcommand("progress", "The learning roadmap with ✅ / ❌ / ⬜ per item");
  c->add_flag("--run", o.run, "run the whole suite first (else read the latest results)");
  c->add_flag("--summary", o.summary, "one line per phase");
  c->add_flag("--strict", o.strict, "exit 1 if a listed test failed or has no result");
  c->add_option("--phase", o.phase, "only this phase (env, 1..8, projects)");
  c->callback([] { cmd_progress(o); });
}

}  // namespace klab::cli
