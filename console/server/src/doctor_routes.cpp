// The monitoring checklist (8.3.4) as `klab doctor` runs it: two samples a moment apart, each
// check with its finding and fix. Asked for, never polled: it calls Kafka's quorum tool (a JVM).
#include "api_error.hpp"
#include "klab/lab/doctor.hpp"
#include "routes.hpp"
#include "validation.hpp"

namespace klab::console {

using nlohmann::json;

void add_doctor_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/doctor", guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               auto paths = klab::cluster::LabPaths::discover();
               auto sources = klab::lab::doctor_sources(paths, ctx.options.target);
               sources.metrics_urls = ctx.options.metrics_urls;  // the console's own
               std::chrono::milliseconds interval{query_int(req, "interval_ms", 2000, 500, 30000)};
               ctx.access.count();
               auto findings = klab::lab::evaluate(klab::lab::collect(sources, interval), {});
               json out{{"interval_ms", interval.count()},
                        {"needs_attention", klab::lab::needs_attention(findings)},
                        {"checks", json::array()}};
               for (const auto& f : findings)
                 out["checks"].push_back({{"check", f.check},
                                          {"status", klab::lab::to_string(f.status)},
                                          {"detail", f.detail},
                                          {"fix", f.fix}});
               send_json(res, out);
             }));
}

}  // namespace klab::console
