#pragma once
// The console as a background process of the lab: `klab up` starts it, `klab down` stops it,
// `klab status` reports it.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include "klab/cluster/lab_paths.hpp"

namespace klab::lab {

struct ConsoleProcess {
  pid_t pid = 0;
  std::uint16_t port = 0;
};

/// The background console when it runs (its pid file names a live `klab console`).
/// Errors: none.
std::optional<ConsoleProcess> running_console(const klab::cluster::LabPaths& paths);

/// Starts `<klab> console --port <port>` detached (port 0: the one used last, else 8080) and
/// waits until it answers HTTP; returns the running one when there already is one. `klab` is
/// the CLI executable to run.
/// Errors: LabError conflict naming the port when it is in use; failed with the end of the
/// console's log when it dies or does not answer in time.
ConsoleProcess start_background_console(const klab::cluster::LabPaths& paths,
                                        const std::filesystem::path& klab, std::uint16_t port);

/// SIGTERM, then SIGKILL after a grace period. Returns false when none was running.
/// Errors: none.
bool stop_background_console(const klab::cluster::LabPaths& paths);

}  // namespace klab::lab
