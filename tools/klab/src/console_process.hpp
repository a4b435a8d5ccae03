#pragma once
// The console as a background process of the lab: `klab up` starts it, `klab down` stops it.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "klab/cluster/lab_paths.hpp"

namespace klab::cli {

struct ConsoleProcess {
  pid_t pid = 0;
  std::uint16_t port = 0;
};

/// Where the background console keeps its pid, port and log: <state>/../console.
std::filesystem::path console_state_dir(const klab::cluster::LabPaths& paths);

/// The background console when it runs (its pid file names a live `klab console`).
std::optional<ConsoleProcess> running_console(const klab::cluster::LabPaths& paths);

/// Starts `<this klab> console --port <port>` detached (port 0: the one used last, else 8080) and
/// waits until it answers HTTP. Throws CommandError naming the port (in use) or the log's tail
/// (died, not ready in time).
ConsoleProcess start_background_console(const klab::cluster::LabPaths& paths, std::uint16_t port);

/// SIGTERM, then SIGKILL after a grace period. Returns false when none was running.
bool stop_background_console(const klab::cluster::LabPaths& paths);

}  // namespace klab::cli
