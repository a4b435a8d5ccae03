#pragma once
// Shared by the practice systems' programs: one cluster address (KLAB_BOOTSTRAP, else the lab's
// own), one database address (KLAB_POSTGRES, else the lab's own PostgreSQL), topics created on
// start, and a clean stop on Ctrl-C / SIGTERM.
#include <chrono>
#include <string>

#include "klab/client/config.hpp"

namespace klab::apps {

/// The lab's PostgreSQL as `klab app run` and the tests start it.
inline constexpr const char* kDefaultPostgres = "host=127.0.0.1 port=15432 user=klab";

/// Client settings for the cluster every klab program uses (see klab::cluster::resolve_target).
/// Errors: klab::cluster::ClusterError when KLAB_CLIENT_PROPERTIES names a missing file.
client::Config cluster_config();

/// `base` (libpq key=value settings without dbname; empty: $KLAB_POSTGRES, else the lab's) with
/// dbname=`database`. Errors: none.
std::string database_conninfo(const std::string& base, const std::string& database);

/// Creates `database` on the server of `base` unless it exists.
/// Errors: pqxx exceptions naming the server's answer (e.g. connection refused).
void ensure_database(const std::string& base, const std::string& database);

/// Creates `topic` unless it exists (TOPIC_ALREADY_EXISTS is success) and waits until the
/// cluster's metadata shows it. Errors: klab::KafkaException for any other refusal.
void ensure_topic(const client::Config& config, const std::string& topic, int partitions,
                  int replication_factor = -1,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Sets session.timeout.ms (and a heartbeat a fifth of it): how long a crashed member's
/// partitions wait before the group gives them to another. Errors: as Config::set.
client::Config& with_session_timeout(client::Config& config, int session_timeout_ms);

/// From now on SIGINT and SIGTERM only set stop_requested(). Errors: none.
void catch_stop_signals();
/// True once SIGINT or SIGTERM arrived after catch_stop_signals(). Errors: none.
bool stop_requested();

/// Prints `message` to stderr as "<program>: error: <message>" and returns exit code 1.
int fail(const std::string& program, const std::string& message);

}  // namespace klab::apps
