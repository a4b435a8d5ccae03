// GET /api/config, /api/overview, /api/metrics, /api/metrics/history and the /api/events stream:
// all read the cached snapshot and metrics, never the cluster.
#include "api_error.hpp"
#include "routes.hpp"
#include "views.hpp"

#ifndef KLAB_CONSOLE_VERSION
#define KLAB_CONSOLE_VERSION "dev"
#endif

namespace klab::console {

void add_status_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/config", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               auto snapshot = ctx.refresher.snapshot();
               auto metrics = ctx.metrics.state();
               send_json(res, {{"read_only", ctx.options.read_only},
                               {"bootstrap", ctx.options.target.bootstrap},
                               {"external", ctx.options.target.external},
                               {"refresh_ms", ctx.options.refresh.count()},
                               {"metrics_refresh_ms", ctx.options.metrics_refresh.count()},
                               {"console_version", KLAB_CONSOLE_VERSION},
                               {"kafka_version", metrics->kafka_version
                                                     ? nlohmann::json(*metrics->kafka_version)
                                                     : nlohmann::json(nullptr)},
                               {"cluster_calls", ctx.access.calls()},
                               {"refreshes", snapshot->sequence},
                               {"refresher_calls", ctx.refresher.refresher_calls()},
                               {"started_at_ms", ctx.started_at_ms}});
             }));
  server.Get("/api/overview", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, overview_json(*ctx.refresher.snapshot(), *ctx.metrics.state(),
                                            ctx.options.metrics_urls));
             }));
  server.Get("/api/metrics", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, metrics_json(*ctx.metrics.state()));
             }));
  server.Get("/api/metrics/history",
             guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, metrics_history_json(ctx.metrics.history()));
             }));
  server.Get("/api/events", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               ctx.events.stream(res);
             }));
}

}  // namespace klab::console
