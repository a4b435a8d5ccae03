#pragma once
// The practice systems `klab app list` names and `klab app run` starts: which programs each one
// runs, with which arguments, and what else it needs from the lab (PostgreSQL, Kafka Connect).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "klab/cluster/kafka_connect.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/postgres.hpp"

namespace klab::lab {

struct AppProgram {
  std::string label;  ///< its name in progress lines and the log file name
  /// argv[0]: the program's file name in the app's build folder; "{state}" in an argument is
  /// the app's folder of logs and files (.klab/state/apps/<name>)
  std::vector<std::string> argv;
};

struct AppSpec {
  std::string name;        ///< "event-logging": apps/<name>
  std::string roadmap_id;  ///< "project.1"
  std::string title;       ///< one line, Korean like the roadmap
  bool needs_postgres = false;
  bool needs_connect = false;  ///< the lab's Kafka Connect worker (REST on 8083)
  /// Run to completion, in order, before the programs start (e.g. registering a connector).
  std::vector<AppProgram> setup;
  std::vector<AppProgram> programs;  ///< started in this order, stopped in reverse
  std::string try_next;  ///< a command to try while it runs ({bin}: the programs' folder)
};

/// Every practice system, in roadmap order. Errors: none.
const std::vector<AppSpec>& app_catalog();
/// The one called `name`, else nullopt. Errors: none.
std::optional<AppSpec> find_app(const std::string& name);

/// The folder holding `app`'s programs, given the running klab executable
/// (build/<preset>/tools/klab/klab -> build/<preset>/apps/<name>). Errors: none.
std::filesystem::path app_program_dir(const std::filesystem::path& klab_executable,
                                      const std::string& app);

inline constexpr std::uint16_t default_postgres_port = 15432;
inline constexpr std::uint16_t default_connect_port = 8083;

/// The lab's PostgreSQL (.klab/state/postgres, port 15432 unless told) that `klab app run`
/// starts. Errors: none.
klab::cluster::Postgres lab_postgres(const klab::cluster::LabPaths& paths,
                                     std::uint16_t port = default_postgres_port);

/// The lab's Kafka Connect worker (.klab/state/connect, REST on 8083) for `bootstrap`, its
/// internal topics with `replication_factor` replicas. Errors: none.
klab::cluster::KafkaConnect lab_connect(const klab::cluster::LabPaths& paths,
                                        const std::string& bootstrap, int replication_factor);

}  // namespace klab::lab
