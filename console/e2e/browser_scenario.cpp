#include "browser_scenario.hpp"

#include <cstdlib>
#include <sstream>
#include <vector>

#include "klab/cluster/subprocess.hpp"

namespace fs = std::filesystem;

namespace klab::console::e2e {

fs::path source_dir() {
  if (const char* dir = std::getenv("KLAB_SOURCE_DIR"); dir != nullptr && *dir != '\0') return dir;
  return KLAB_E2E_DEFAULT_SOURCE_DIR;
}

fs::path screenshot_dir() { return source_dir() / ".klab" / "artifacts" / "screenshots"; }

namespace {

fs::path chromium_path() {
  if (const char* path = std::getenv("KLAB_CHROMIUM"); path != nullptr && *path != '\0')
    return path;
  return "/usr/bin/chromium";
}

bool node_runs() {
  try {
    return klab::cluster::run_command({"node", "--version"}, std::chrono::seconds(20)).exit_code ==
           0;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::optional<std::string> missing_prerequisite() {
  const fs::path web = source_dir() / "console" / "web";
  if (!fs::exists(chromium_path()))
    return "chromium not found at " + chromium_path().string() +
           ": run scripts/setup (it installs Debian's chromium; the browser tests never download "
           "one), or set KLAB_CHROMIUM to a chromium binary";
  if (!node_runs()) return "node is not installed: run scripts/setup (it installs nodejs and npm)";
  if (!fs::exists(web / "node_modules" / "playwright-core" / "package.json"))
    return "playwright-core is missing in " + (web / "node_modules").string() +
           ": run scripts/setup (it runs npm ci in console/web)";
  if (!fs::exists(web / "dist" / "index.html"))
    return "the console front end is not built (" + (web / "dist" / "index.html").string() +
           " missing): run scripts/setup (it runs npm run build in console/web)";
  return std::nullopt;
}

ScenarioResult run_scenario(const std::string& name, const std::string& console_url,
                            const std::map<std::string, std::string>& env,
                            std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"env", "CONSOLE_URL=" + console_url,
                                "SCREENSHOT_DIR=" + screenshot_dir().string()};
  if (const char* m = std::getenv("KLAB_TIMEOUT_MULTIPLIER"))
    argv.push_back(std::string("KLAB_TIMEOUT_MULTIPLIER=") + m);
  if (const char* c = std::getenv("KLAB_CHROMIUM"))
    argv.push_back(std::string("KLAB_CHROMIUM=") + c);
  for (const auto& [key, value] : env) argv.push_back(key + "=" + value);
  argv.push_back("node");
  argv.push_back((source_dir() / "console" / "e2e" / (name + ".mjs")).string());

  auto run = klab::cluster::run_command(argv, timeout);
  ScenarioResult out;
  out.exit_code = run.exit_code;
  out.timed_out = run.timed_out;
  out.output = run.output;
  out.result = nlohmann::json::object();
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("RESULT ", 0) != 0) continue;
    auto parsed = nlohmann::json::parse(line.substr(7), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) out.result = std::move(parsed);
  }
  return out;
}

}  // namespace klab::console::e2e
