#pragma once
// The practice systems' database: Debian's PostgreSQL server, run by the lab with its own data
// directory and port (never the system's cluster), logical replication on for CDC. Run as root,
// it starts inside a user namespace as an unprivileged uid: PostgreSQL refuses to run as root,
// and the namespace lets it own the lab's files without a system account or chown.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "klab/cluster/managed_process.hpp"

namespace klab::cluster {

struct PostgresSpec {
  std::filesystem::path dir;  ///< data/ (the cluster), postgres.log, the pid file
  std::uint16_t port = 15432;
  /// More server settings (`-c key=value`), after the lab's.
  std::map<std::string, std::string> settings;
};

class Postgres {
 public:
  explicit Postgres(PostgresSpec spec);
  /// Creates the database cluster on first use (initdb, superuser "klab", trust on loopback),
  /// starts the server unless it runs, and waits until it accepts connections.
  /// Errors: ClusterError when PostgreSQL is not installed (naming scripts/setup), the port is
  /// taken, or the server does not come up (naming its log).
  void start(bool die_with_parent = false);
  /// Fast shutdown (clients disconnected, a clean checkpoint). Returns whether it ran.
  /// Errors: none.
  bool stop();
  bool running() const { return process_.running(); }
  std::uint16_t port() const { return spec_.port; }
  /// libpq connection string for `database`: "host=127.0.0.1 port=P user=klab dbname=D".
  std::string conninfo(const std::string& database = "postgres") const;
  /// Creates `database` unless it exists. Errors: ClusterError naming psql's answer.
  void ensure_database(const std::string& database) const;
  /// Runs `sql` with psql and returns its unaligned, tuples-only output.
  /// Errors: ClusterError naming the statement and psql's answer.
  std::string query(const std::string& database, const std::string& sql) const;
  std::filesystem::path log_file() const { return spec_.dir / "postgres.log"; }
  std::filesystem::path data_dir() const { return spec_.dir / "data"; }

  /// The newest installed server's bin directory (/usr/lib/postgresql/N/bin), "" when none.
  static std::filesystem::path server_bin_dir();

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  PostgresSpec spec_;
  ManagedProcess process_;
};

}  // namespace klab::cluster
