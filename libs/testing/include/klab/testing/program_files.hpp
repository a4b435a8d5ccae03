#pragma once
// What tests do with the programs they start and the files those write: read a log or report
// whole, and start a program whose output goes to a log and who dies with the test.
#include <filesystem>
#include <string>
#include <vector>

#include "klab/cluster/managed_process.hpp"

namespace klab::testing {

/// The whole text of `file`; "" when it does not exist (yet) or cannot be read: a log a program
/// has not written yet is simply empty. Errors: none.
std::string read_text(const std::filesystem::path& file);

/// Starts `argv` (argv[0]: the program's path) with stdout and stderr appended to `dir / log`,
/// the pid file `dir / (log + ".pid")`, killed when the test process dies; returns once the
/// child runs the program (its command line shows argv[0]), so stop() and kill() reach it.
/// Errors: ClusterError when it cannot be started.
klab::cluster::ManagedProcess start_logged(const std::filesystem::path& dir, const std::string& log,
                                           const std::vector<std::string>& argv);

}  // namespace klab::testing
