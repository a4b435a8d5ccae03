#include "klab/apps/app_support.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "klab/client/admin.hpp"
#include "klab/client/error.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"

namespace klab::apps {
namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
}  // namespace

client::Config cluster_config() {
  auto paths = cluster::LabPaths::discover();
  return cluster::client_config(cluster::resolve_target(paths));
}

std::string database_conninfo(const std::string& base, const std::string& database) {
  std::string b = base;
  if (b.empty()) {
    const char* env = std::getenv("KLAB_POSTGRES");
    b = env && *env ? env : kDefaultPostgres;
  }
  return b + " dbname=" + database;
}

void ensure_database(const std::string& base, const std::string& database) {
  pqxx::connection c(database_conninfo(base, "postgres"));
  pqxx::nontransaction n(c);
  auto found = n.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database);
  if (!found.empty()) return;
  try {
    n.exec("CREATE DATABASE " + n.quote_name(database));
  } catch (const pqxx::sql_error& e) {
    // Two programs starting together: the other one created it first.
    if (e.sqlstate() != "42P04") throw;
  }
}

void ensure_topic(const client::Config& config, const std::string& topic, int partitions,
                  int replication_factor, std::chrono::milliseconds timeout) {
  client::Admin admin(config);
  try {
    admin.create_topic(
        {.name = topic, .partitions = partitions, .replication_factor = replication_factor},
        timeout);
  } catch (const KafkaException& e) {
    if (e.error().code() != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) throw;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto d = admin.describe_topics({topic}, timeout);
    if (!d.empty() && !d[0].error && !d[0].partitions.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw KafkaException(Error(RD_KAFKA_RESP_ERR__TIMED_OUT,
                             "topic " + topic + " was created but no broker shows it yet"),
                       "ensure_topic");
}

client::Config& with_session_timeout(client::Config& config, int session_timeout_ms) {
  return config.set("session.timeout.ms", std::to_string(session_timeout_ms))
      .set("heartbeat.interval.ms", std::to_string(std::max(500, session_timeout_ms / 5)));
}

void catch_stop_signals() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() { return g_stop != 0; }

int fail(const std::string& program, const std::string& message) {
  std::cerr << program << ": error: " << message << "\n";
  return 1;
}

}  // namespace klab::apps
