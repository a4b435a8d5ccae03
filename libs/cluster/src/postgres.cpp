#include "klab/cluster/postgres.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// "nobody": a uid every system has, so initdb can look its name up.
constexpr const char* kServerUid = "65534";

std::string psql_path() {
  auto bin = Postgres::server_bin_dir();
  if (!bin.empty() && fs::exists(bin / "psql")) return (bin / "psql").string();
  return "psql";
}

}  // namespace

Postgres::Postgres(PostgresSpec spec)
    : spec_(std::move(spec)), process_(spec_.dir / "postgres.pid", (spec_.dir / "data").string()) {}

fs::path Postgres::server_bin_dir() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(e.path() / "bin" / "postgres")) found.push_back(e.path() / "bin");
  if (found.empty()) return {};
  // Versions are directory names ("15", "16"): the longest, then the greatest, is the newest.
  return *std::max_element(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    auto x = a.parent_path().filename().string(), y = b.parent_path().filename().string();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
}

std::vector<std::string> Postgres::as_server_user(std::vector<std::string> argv) const {
  if (::geteuid() != 0) return argv;
  std::vector<std::string> wrapped{"unshare", "--user", std::string("--map-user=") + kServerUid,
                                   std::string("--map-group=") + kServerUid};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::string Postgres::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(spec_.port) + " user=klab dbname=" + database +
         " connect_timeout=10";
}

void Postgres::start(bool die_with_parent) {
  if (running()) return;
  auto bin = server_bin_dir();
  if (bin.empty())
    throw ClusterError(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres): run scripts/setup");
  if (!port_free(spec_.port))
    throw ClusterError("port " + std::to_string(spec_.port) +
                       " (the lab's PostgreSQL) is already in use: stop what holds it (`ss -ltnp "
                       "'sport = :" +
                       std::to_string(spec_.port) + "'`) or choose another port");
  fs::create_directories(spec_.dir);
  if (!fs::exists(data_dir() / "PG_VERSION")) {
    std::error_code ec;
    fs::remove_all(data_dir(), ec);  // a half-made cluster from an interrupted initdb
    auto r = run_command(
        as_server_user({(bin / "initdb").string(), "-D", data_dir().string(), "-U", "klab",
                        "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"}),
        scaled(120s));
    if (r.exit_code != 0)
      throw ClusterError("initdb failed for " + data_dir().string() + ":\n" + r.output);
  }
  std::vector<std::string> argv{(bin / "postgres").string(), "-D", data_dir().string(), "-p",
                                std::to_string(spec_.port),  "-k", spec_.dir.string(),  "-c",
                                "listen_addresses=127.0.0.1"};
  std::map<std::string, std::string> settings{
      // Debezium reads changes through a logical replication slot (pgoutput).
      {"wal_level", "logical"},
      {"max_replication_slots", "10"},
      {"max_wal_senders", "10"},
      // A lab database: small, and durable enough (a crash of the machine is not a lesson).
      {"shared_buffers", "32MB"},
      {"fsync", "off"},
      {"full_page_writes", "off"},
  };
  for (const auto& [k, v] : spec_.settings) settings[k] = v;
  for (const auto& [k, v] : settings) {
    argv.push_back("-c");
    argv.push_back(k + "=" + v);
  }
  process_.start(as_server_user(argv),
                 {.log_file = log_file(), .die_with_parent = die_with_parent});
  auto ready = [&] {
    if (!running()) return true;
    auto r = run_command(
        {(bin / "pg_isready").string(), "-q", "-h", "127.0.0.1", "-p", std::to_string(spec_.port)},
        5s);
    return r.exit_code == 0;
  };
  // Until it has exec'd, the child shows our command line, not the marker.
  await_until([&] { return running(); }, scaled(5s), 20ms);
  if (!await_until(ready, scaled(60s), 100ms) || !running())
    throw ClusterError("PostgreSQL did not start on port " + std::to_string(spec_.port) + ":\n" +
                       failure_excerpt(log_file(), 10));
}

bool Postgres::stop() {
  pid_t p = process_.pid();
  if (!p) return false;
  // SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for every client to leave.
  ::kill(p, SIGCONT);
  ::kill(p, SIGINT);
  process_.await_stopped(p, 30s);
  return true;
}

std::string Postgres::query(const std::string& database, const std::string& sql) const {
  auto r = run_command({psql_path(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
                        conninfo(database), "-c", sql},
                       scaled(60s));
  if (r.exit_code != 0)
    throw ClusterError("psql failed on `" + sql.substr(0, 200) + "`: " + r.output);
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r'))
    r.output.pop_back();
  return r.output;
}

void Postgres::ensure_database(const std::string& database) const {
  auto exists = query("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + database + "'");
  if (exists != "1") query("postgres", "CREATE DATABASE \"" + database + "\"");
}

}  // namespace klab::cluster
