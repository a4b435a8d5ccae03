#pragma once
// Runs one browser scenario (console/e2e/<name>.mjs, playwright-core driving Debian's chromium)
// as a child process and reads the one `RESULT {json}` line it prints.
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace klab::console::e2e {

struct ScenarioResult {
  int exit_code = -1;
  bool timed_out = false;
  nlohmann::json result;  ///< the RESULT object ({} when none was printed)
  std::string output;     ///< everything the scenario printed, for failure messages
  bool ok() const { return exit_code == 0 && result.value("ok", false); }
};

/// The repository root: $KLAB_SOURCE_DIR (set by klab_add_test), else the configure-time root.
std::filesystem::path source_dir();

/// Where scenarios save PNGs: <source>/.klab/artifacts/screenshots.
std::filesystem::path screenshot_dir();

/// Why the browser tests cannot run (chromium, node, playwright-core or the built front end
/// missing), naming the fix; nullopt when everything is in place.
std::optional<std::string> missing_prerequisite();

/// Runs `node console/e2e/<name>.mjs` with CONSOLE_URL, SCREENSHOT_DIR and `env` set; kills it
/// after `timeout`. Errors: klab::cluster::ClusterError when node cannot be started.
ScenarioResult run_scenario(const std::string& name, const std::string& console_url,
                            const std::map<std::string, std::string>& env,
                            std::chrono::milliseconds timeout);

}  // namespace klab::console::e2e
