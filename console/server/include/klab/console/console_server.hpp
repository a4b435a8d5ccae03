#pragma once
// The lab's web console: a JSON API over klab::client, live updates by Server-Sent Events, and
// the front end's static files. See docs/console.md for what it shows and how to start it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "klab/cluster/target.hpp"

namespace klab::console {

struct ConsoleOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  ///< 0 picks a free port (see ConsoleServer::port())
  bool read_only = false;     ///< every POST/PUT/DELETE answers 403
  /// Required (non-empty) when `host` is not loopback: every request must then carry it.
  std::string access_token;
  /// How often the one refresher thread re-reads metadata, watermarks and groups.
  std::chrono::milliseconds refresh{5000};
  /// How often the metrics thread scrapes the brokers' JMX exporters.
  std::chrono::milliseconds metrics_refresh{2000};
  std::filesystem::path web_root;  ///< the built front end (index.html)
  klab::cluster::ClusterTarget target;
  std::vector<std::string> metrics_urls;  ///< one exporter URL per broker, in node-id order
  std::filesystem::path roadmap_file;     ///< roadmap.json; its folder is the lab home (guides)
  std::filesystem::path results_dir;      ///< GoogleTest JSON reports
  /// A schema registry's Confluent-compatible API ("http://127.0.0.1:8085/apis/ccompat/v7"),
  /// for the Schemas page and the schema of Avro records; "" when there is none.
  std::string registry_url;
};

/// True for 127.0.0.1, ::1, localhost and other 127.x addresses: where no access token is needed.
bool is_loopback_host(const std::string& host);

class ConsoleServer {
 public:
  /// Checks the options (throws std::invalid_argument naming the bad one); nothing starts yet.
  explicit ConsoleServer(ConsoleOptions options);
  ~ConsoleServer();  ///< stop()
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  /// Binds, starts the refresher, metrics and HTTP threads, and returns once listening.
  /// Throws std::system_error (EADDRINUSE) naming host:port when the port cannot be bound.
  void start();
  /// The bound port (the chosen one when the options said 0).
  std::uint16_t port() const;
  /// Stops every thread and closes live streams. Idempotent.
  void stop();
  /// Blocks until stop() has been called (from another thread or a signal handler's helper).
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klab::console
