// Consumer groups: list and detail from the cache; resetting a stopped group's offsets.
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "api_error.hpp"
#include "klab/client/consumer.hpp"
#include "klab/lab/offset_reset.hpp"
#include "routes.hpp"
#include "validation.hpp"
#include "views.hpp"

namespace klab::console {

using nlohmann::json;
using namespace std::chrono_literals;
using klab::client::TopicPartition;

namespace {

json reset_offsets(ServerContext& ctx, const std::string& group, const json& body) {
  using klab::lab::ResetTarget;
  auto to = json_string(body, "to").value_or("");
  klab::lab::ResetRequest request{group, {}, ResetTarget::earliest()};
  if (to == "latest") {
    request.to = ResetTarget::latest();
  } else if (to == "offset") {
    auto offset = json_int(body, "offset", 0, INT64_MAX);
    if (!offset) throw invalid_input("to=offset needs 'offset' (an integer >= 0)");
    request.to = ResetTarget::to_offset(*offset);
  } else if (to == "timestamp") {
    auto it = body.find("timestamp_ms");
    if (it == body.end() || it->is_null())
      throw invalid_input("to=timestamp needs 'timestamp_ms' (ms since the epoch or ISO-8601)");
    request.to = ResetTarget::to_timestamp(
        it->is_string() ? parse_timestamp("timestamp_ms", it->get<std::string>())
                        : *json_int(body, "timestamp_ms", 0, INT64_MAX));
  } else if (to != "earliest") {
    throw invalid_input("'to' must be \"earliest\", \"latest\", \"offset\" or \"timestamp\"");
  }
  if (auto topic = json_string(body, "topic")) {
    check_topic_name(*topic);
    request.topics.push_back(*topic);
  }
  if (json_string(body, "confirm").value_or("") != group)
    throw ApiError(400, "confirmation_required",
                   fmt::format("resetting moves where group '{}' reads next: repeat the group id "
                               "as \"confirm\" to go ahead",
                               group));
  // The same planner and checks as `klab groups reset-offsets`.
  auto plan = ctx.access.admin_call([&](klab::client::Admin& a) {
    return klab::lab::plan_offset_reset(a, ctx.access.reader_config("reset"), request,
                                        request_timeout);
  });
  ctx.access.admin_call(
      [&](klab::client::Admin& a) { klab::lab::execute_offset_reset(a, plan, request_timeout); });
  ctx.refresher.refresh_now(10s);
  json out = json::array();
  for (const auto& p : plan.offsets) {
    json o{{"topic", p.topic}, {"partition", p.partition}, {"offset", p.target}};
    if (p.current >= 0) o["previous"] = p.current;
    if (!p.note.empty()) o["note"] = p.note;
    out.push_back(std::move(o));
  }
  return {{"offsets", out}, {"to", klab::lab::describe(plan.to)}};
}

}  // namespace

void add_group_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/groups", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, groups_json(*ctx.refresher.snapshot()));
             }));
  server.Get(R"(/api/groups/([^/]+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               std::string id = req.matches[1];
               auto snapshot = ctx.refresher.snapshot();
               const GroupState* g = snapshot->group(id);
               if (!g)
                 throw not_found(fmt::format(
                     "no consumer group '{}' is known to the cluster (as of the last refresh): "
                     "check the id in the group list",
                     id));
               send_json(res,
                         group_json(*g, ctx.refresher.lag_history(id), ctx.refresher.timeline(id)));
             }));
  server.Post(
      R"(/api/groups/([^/]+)/reset-offsets)",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        std::string id = req.matches[1];
        send_json(res, reset_offsets(ctx, id, parse_body(req)));
      }));
}

}  // namespace klab::console
