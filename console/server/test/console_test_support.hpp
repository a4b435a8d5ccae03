#pragma once
// An in-process console on a free port against the test binary's cluster, and a small JSON
// client for it.
#include <httplib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "klab/cluster/await.hpp"
#include "klab/console/console_server.hpp"
#include "klab/testing/test_cluster.hpp"

namespace klab::console::testing {

using nlohmann::json;

struct Reply {
  int status = 0;
  std::string text;
  std::string content_type;
  json body;  ///< parsed when the answer is JSON
};

inline std::filesystem::path source_dir() {
  const char* dir = std::getenv("KLAB_SOURCE_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::path(KLAB_SOURCE_DIR_DEFAULT);
}

/// A scratch folder removed with the object.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("klab-console-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    auto file = path / rel;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
  }
};

/// Options for the test cluster, a 1 s refresh and a tiny built front end.
inline ConsoleOptions test_options(const TempDir& web) {
  ConsoleOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.refresh = std::chrono::milliseconds(1000);
  o.metrics_refresh = std::chrono::milliseconds(1000);
  o.web_root = web.path;
  auto& c = klab::testing::cluster();
  o.target = klab::cluster::ClusterTarget{c.bootstrap(), std::nullopt, c.external()};
  o.metrics_urls = c.metrics_urls();
  o.roadmap_file = source_dir() / "roadmap.json";
  o.results_dir = web.path / "no-results";
  o.registry_url = c.registry_url();  // "" unless the binary's cluster has one
  return o;
}

class TestConsole {
 public:
  explicit TestConsole(ConsoleOptions options)
      : server_(std::make_unique<ConsoleServer>(std::move(options))) {
    server_->start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(std::chrono::seconds(60));
  }
  ~TestConsole() { server_->stop(); }

  std::uint16_t port() const { return server_->port(); }
  ConsoleServer& server() { return *server_; }

  Reply get(const std::string& path) { return reply(client_->Get(path)); }
  Reply post(const std::string& path, const std::string& body) {
    return reply(client_->Post(path, body, "application/json"));
  }
  Reply post(const std::string& path, const json& body) { return post(path, body.dump()); }
  Reply put(const std::string& path, const json& body) {
    return reply(client_->Put(path, body.dump(), "application/json"));
  }
  Reply del(const std::string& path) { return reply(client_->Delete(path)); }

  /// Waits until the refresher finished `count` more refreshes (so the cache saw a change).
  bool await_refreshes(int count, std::chrono::milliseconds timeout) {
    auto start = get("/api/config").body.value("refreshes", 0);
    return klab::cluster::await_until(
        [&] { return get("/api/config").body.value("refreshes", 0) >= start + count; },
        klab::cluster::scaled(timeout));
  }

 private:
  static Reply reply(const httplib::Result& r) {
    Reply out;
    if (!r) {
      out.status = -1;
      out.text = "no answer: " + httplib::to_string(r.error());
      return out;
    }
    out.status = r->status;
    out.text = r->body;
    out.content_type = r->get_header_value("Content-Type");
    if (out.content_type.starts_with("application/json"))
      out.body = json::parse(out.text, nullptr, false);
    return out;
  }

  std::unique_ptr<ConsoleServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

/// Finds the element of `array` whose `key` equals `value` (null json when none).
inline json find_by(const json& array, const std::string& key, const json& value) {
  if (array.is_array())
    for (const auto& e : array)
      if (e.contains(key) && e[key] == value) return e;
  return nullptr;
}

}  // namespace klab::console::testing
