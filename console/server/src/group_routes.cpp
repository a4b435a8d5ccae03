// Consumer groups: list and detail from the cache; resetting a stopped group's offsets.
#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "api_error.hpp"
#include "klab/client/consumer.hpp"
#include "routes.hpp"
#include "validation.hpp"
#include "views.hpp"

namespace klab::console {

using nlohmann::json;
using namespace std::chrono_literals;
using klab::client::TopicPartition;

namespace {

json reset_offsets(ServerContext& ctx, const std::string& group, const json& body) {
  auto to = json_string(body, "to").value_or("");
  if (to != "earliest" && to != "latest" && to != "timestamp")
    throw invalid_input("'to' must be \"earliest\", \"latest\" or \"timestamp\"");
  std::optional<std::int64_t> at_ms;
  if (to == "timestamp") {
    auto it = body.find("timestamp_ms");
    if (it == body.end() || it->is_null())
      throw invalid_input("to=timestamp needs 'timestamp_ms' (ms since the epoch or ISO-8601)");
    at_ms = it->is_string() ? parse_timestamp("timestamp_ms", it->get<std::string>())
                            : json_int(body, "timestamp_ms", 0, INT64_MAX);
  }
  auto topic = json_string(body, "topic");
  if (topic) check_topic_name(*topic);
  if (json_string(body, "confirm").value_or("") != group)
    throw ApiError(400, "confirmation_required",
                   fmt::format("resetting moves where group '{}' reads next: repeat the group id "
                               "as \"confirm\" to go ahead",
                               group));

  auto description = ctx.access.admin_call(
      [&](klab::client::Admin& a) { return a.describe_group(group, request_timeout); });
  if (description.error) throw klab::KafkaException(description.error, "describing " + group);
  if (!description.members.empty() || (description.state != "Empty" && description.state != "Dead"))
    throw conflict(fmt::format(
        "group '{}' is {} with {} active member(s): stop its consumers first; offsets can only "
        "be reset while the group is Empty",
        group, description.state, description.members.size()));

  std::vector<TopicPartition> committed;
  if (description.state != "Dead")
    committed = ctx.access.admin_call(
        [&](klab::client::Admin& a) { return a.committed_offsets(group, {}, request_timeout); });
  std::set<std::string> topics;
  if (topic)
    topics.insert(*topic);
  else
    for (const auto& c : committed)
      if (c.offset >= 0) topics.insert(c.topic);
  if (topics.empty())
    throw not_found(fmt::format("group '{}' has no committed offsets{}: name a 'topic' to reset",
                                group, description.state == "Dead" ? " (it is unknown)" : ""));

  std::vector<TopicPartition> partitions;
  auto described = ctx.access.admin_call([&](klab::client::Admin& a) {
    return a.describe_topics({topics.begin(), topics.end()}, request_timeout);
  });
  for (const auto& d : described) {
    if (d.error) throw not_found(fmt::format("topic '{}' does not exist", d.name));
    for (const auto& p : d.partitions) partitions.push_back({d.name, p.id});
  }
  // ListOffsets by Kafka's special timestamps (-2 earliest, -1 latest) or the given time.
  klab::client::Consumer lookup(ctx.access.reader_config("reset"));
  auto query = partitions;
  for (auto& tp : query)
    tp.offset = to == "earliest" ? klab::client::offset_beginning
                : to == "latest" ? klab::client::offset_end
                                 : *at_ms;
  ctx.access.count();
  auto targets = lookup.offsets_for_times(query, request_timeout);
  if (to == "timestamp") {  // no record that new: the log end
    auto ends = partitions;
    for (auto& tp : ends) tp.offset = klab::client::offset_end;
    ctx.access.count();
    auto highs = lookup.offsets_for_times(ends, request_timeout);
    for (auto& t : targets)
      if (t.offset < 0)
        for (const auto& h : highs)
          if (h.topic == t.topic && h.partition == t.partition) t.offset = h.offset;
  }
  lookup.close();
  for (auto& t : targets) {
    if (t.error) throw klab::KafkaException(t.error, "looking up offsets of " + t.topic);
    t.error = {};
  }
  try {
    ctx.access.admin_call(
        [&](klab::client::Admin& a) { a.alter_group_offsets(group, targets, request_timeout); });
  } catch (const klab::KafkaException& e) {
    if (e.error().code() == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
        e.error().code() == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
      throw conflict(
          fmt::format("group '{}' gained active members while resetting ({}): stop "
                      "its consumers first",
                      group, e.error().name()));
    throw;
  }
  ctx.refresher.refresh_now(10s);
  json out = json::array();
  for (const auto& t : targets)
    out.push_back({{"topic", t.topic}, {"partition", t.partition}, {"offset", t.offset}});
  return {{"offsets", out}};
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
               send_json(res, group_json(*g, ctx.refresher.lag_history(id)));
             }));
  server.Post(
      R"(/api/groups/([^/]+)/reset-offsets)",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        std::string id = req.matches[1];
        send_json(res, reset_offsets(ctx, id, parse_body(req)));
      }));
}

}  // namespace klab::console
