#pragma once
// Whether this machine can run containers: the compose and Testcontainers tests run only then,
// and otherwise skip with the reason (roadmap rows show as checked statically, never as passed).
#include <optional>
#include <string>

#include "klab/cluster/subprocess.hpp"

namespace klab::testing {

/// nullopt when `docker info` answers (a client and a reachable engine), else why not.
/// Errors: none.
inline std::optional<std::string> docker_unavailable() {
  using namespace std::chrono_literals;
  try {
    auto r = klab::cluster::run_command({"docker", "info", "--format", "{{.ServerVersion}}"}, 30s);
    if (r.exit_code == 0) return std::nullopt;
    return "no Docker engine here (`docker info` exited " + std::to_string(r.exit_code) +
           "): nothing was started; run on a machine with Docker to prove this row";
  } catch (const std::exception& e) {
    return std::string("no Docker client here (") + e.what() + "): nothing was started";
  }
}

}  // namespace klab::testing
