#include "klab/console/console_server.hpp"

#include <fmt/core.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "api_error.hpp"
#include "cluster_access.hpp"
#include "cluster_snapshot.hpp"
#include "event_hub.hpp"
#include "metrics_collector.hpp"
#include "request_guard.hpp"
#include "routes.hpp"
#include "views.hpp"

namespace klab::console {

namespace {
// SSE streams each hold a worker for as long as a page is open.
constexpr std::size_t http_workers = 32;
constexpr std::size_t max_body_bytes = 4 * 1024 * 1024;
}  // namespace

struct ConsoleServer::Impl {
  ConsoleOptions options;
  ClusterAccess access;
  ClusterRefresher refresher;
  MetricsCollector metrics;
  EventHub events;
  ServerContext ctx;
  httplib::Server server;
  std::thread listener;
  int port = 0;
  std::mutex mutex;
  std::condition_variable stopped_cv;
  bool started = false, stopped = false;

  explicit Impl(ConsoleOptions o)
      : options(std::move(o)),
        access(klab::cluster::client_config(options.target)),
        refresher(access, options.refresh),
        metrics(options.metrics_urls, options.metrics_refresh,
                [this] {
                  std::vector<std::int32_t> ids;
                  for (const auto& b : refresher.snapshot()->brokers) ids.push_back(b.id);
                  return ids;
                }),
        ctx{options, access, refresher, metrics, events, now_ms()} {}
};

ConsoleServer::ConsoleServer(ConsoleOptions options) {
  if (options.target.bootstrap.empty())
    throw std::invalid_argument("console: no cluster to talk to (empty bootstrap servers)");
  if (options.refresh < std::chrono::milliseconds(200))
    throw std::invalid_argument(fmt::format(
        "console: refresh {} ms is too short: use at least 200 ms", options.refresh.count()));
  if (options.metrics_refresh < std::chrono::milliseconds(200))
    throw std::invalid_argument(
        fmt::format("console: metrics refresh {} ms is too short: use at least 200 ms",
                    options.metrics_refresh.count()));
  impl_ = std::make_unique<Impl>(std::move(options));
}

ConsoleServer::~ConsoleServer() { stop(); }

void ConsoleServer::start() {
  auto& d = *impl_;
  std::lock_guard lock(d.mutex);
  if (d.started) return;
  auto& s = d.server;
  s.new_task_queue = [] { return new httplib::ThreadPool(http_workers); };
  s.set_payload_max_length(max_body_bytes);
  // httplib's default adds SO_REUSEPORT, which lets a second console bind the same port
  // silently; SO_REUSEADDR alone still allows a quick restart but refuses a port in use.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send_error(res, 500, "internal_error", what);
      });
  if (!is_loopback_host(d.options.host) && d.options.access_token.empty())
    throw std::invalid_argument("console: listening on " + d.options.host +
                                " needs an access token (ConsoleOptions::access_token)");
  s.set_pre_routing_handler(
      request_guard({d.options.host, [&d] { return d.port; }, d.options.access_token}));
  add_status_routes(s, d.ctx);
  add_topic_routes(s, d.ctx);
  add_message_routes(s, d.ctx);
  add_group_routes(s, d.ctx);
  add_lessons_routes(s, d.ctx);
  add_security_routes(s, d.ctx);
  add_doctor_routes(s, d.ctx);
  add_schema_routes(s, d.ctx);
  add_static_routes(s, d.ctx);

  if (d.options.port == 0) {
    d.port = s.bind_to_any_port(d.options.host);
    if (d.port < 0) d.port = 0;
  } else if (s.bind_to_port(d.options.host, d.options.port)) {
    d.port = d.options.port;
  }
  if (d.port == 0)
    throw std::system_error(
        std::make_error_code(std::errc::address_in_use),
        fmt::format("cannot listen on {}:{} (the port is in use, or the address is not one of "
                    "this machine's)",
                    d.options.host, d.options.port));

  d.refresher.on_refresh([&d](const Snapshot& snapshot) {
    d.events.publish("overview",
                     overview_json(snapshot, *d.metrics.state(), d.options.metrics_urls)
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    d.events.publish("groups", groups_json(snapshot).dump(
                                   -1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
  d.metrics.on_scrape([&d](const MetricsState& m) {
    d.events.publish(
        "metrics", metrics_json(m).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
  d.refresher.start();
  d.metrics.start();
  d.listener = std::thread([&s] { s.listen_after_bind(); });
  while (!s.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  d.started = true;
}

std::uint16_t ConsoleServer::port() const { return static_cast<std::uint16_t>(impl_->port); }

void ConsoleServer::stop() {
  if (!impl_) return;
  auto& d = *impl_;
  {
    std::lock_guard lock(d.mutex);
    if (d.stopped) return;
    d.stopped = true;
  }
  d.events.close();  // live streams return, so the HTTP workers can be joined
  if (d.started) {
    d.server.stop();
    if (d.listener.joinable()) d.listener.join();
  }
  d.refresher.stop();
  d.metrics.stop();
  d.stopped_cv.notify_all();
}

void ConsoleServer::wait() {
  auto& d = *impl_;
  std::unique_lock lock(d.mutex);
  d.stopped_cv.wait(lock, [&] { return d.stopped; });
}

}  // namespace klab::console
