// Topics: list (cache), create, detail (partitions from the cache, configs on demand), config
// changes and delete with a typed confirmation.
#include <fmt/core.h>

#include <algorithm>
#include <thread>

#include "api_error.hpp"
#include "routes.hpp"
#include "validation.hpp"
#include "views.hpp"

namespace klab::console {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto after_change_wait = 10s;

// {k: "v"} with string, number or boolean values (the form may send numbers); null removes.
std::map<std::string, std::optional<std::string>> config_map(const json& body,
                                                             const std::string& key) {
  std::map<std::string, std::optional<std::string>> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_object())
    throw invalid_input(
        fmt::format("'{}' must be an object of config names to values, e.g. "
                    "{{\"retention.ms\": \"60000\"}}",
                    key));
  for (const auto& [name, value] : it->items()) {
    if (name.empty()) throw invalid_input("a config name is empty");
    if (value.is_string())
      out[name] = value.get<std::string>();
    else if (value.is_number() || value.is_boolean())
      out[name] = value.dump();
    else if (value.is_null())
      out[name] = std::nullopt;
    else
      throw invalid_input(
          fmt::format("config '{}' must be a string value, got {}", name, value.dump()));
  }
  return out;
}

json configs_json(const std::vector<klab::client::ConfigEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries)
    out.push_back({{"name", e.name},
                   {"value", e.value ? json(*e.value) : json(nullptr)},
                   {"source", e.source},
                   {"is_default", e.is_default},
                   {"read_only", e.read_only},
                   {"sensitive", e.sensitive}});
  return out;
}

int live_brokers(ServerContext& ctx) {
  auto s = ctx.refresher.snapshot();
  int live = 0;
  if (s->reachable)
    for (const auto& b : s->brokers) live += b.in_metadata;
  if (live > 0) return live;
  auto cluster = ctx.access.admin_call(
      [](klab::client::Admin& a) { return a.describe_cluster(request_timeout); });
  return static_cast<int>(cluster.brokers.size());
}

// The topic from the cache; a topic the cache does not know yet is looked up once.
TopicState cached_topic(ServerContext& ctx, const std::string& name) {
  auto s = ctx.refresher.snapshot();
  if (auto it = s->topics.find(name); it != s->topics.end()) return it->second;
  auto described = ctx.access.admin_call(
      [&](klab::client::Admin& a) { return a.describe_topics({name}, request_timeout); });
  if (described.empty() || described.front().error)
    throw not_found(
        fmt::format("topic '{}' does not exist: check the name in the topic list", name));
  ctx.refresher.refresh_now(after_change_wait);
  s = ctx.refresher.snapshot();
  if (auto it = s->topics.find(name); it != s->topics.end()) return it->second;
  throw ApiError(503, "cluster_unavailable",
                 fmt::format("topic '{}' exists but its partitions could not be read yet: "
                             "try again in a moment",
                             name));
}

}  // namespace

void add_topic_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/topics", guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               auto internal = query_string(req, "internal", "false");
               if (internal != "true" && internal != "false")
                 throw invalid_input("internal='" + internal + "': use true or false");
               send_json(res, topics_json(*ctx.refresher.snapshot(), *ctx.metrics.state(),
                                          internal == "true"));
             }));

  server.Post(
      "/api/topics",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto body = parse_body(req);
        auto name = json_string(body, "name");
        if (!name) throw invalid_input("'name' is required: the new topic's name");
        check_topic_name(*name);
        auto partitions = json_int(body, "partitions", 1, 1000).value_or(1);
        auto configs = config_map(body, "configs");
        auto rf_given = json_int(body, "replication_factor", 1, 1000);
        int live = live_brokers(ctx);
        if (rf_given && *rf_given > live)
          throw invalid_input(fmt::format(
              "replication_factor {} is more than the {} live broker(s): each replica needs its "
              "own broker; use 1..{}",
              *rf_given, live, live));
        klab::client::NewTopic topic{*name,
                                     static_cast<int>(partitions),
                                     static_cast<int>(rf_given.value_or(std::min(3, live))),
                                     {}};
        for (const auto& [k, v] : configs)
          if (v) topic.configs[k] = *v;
        try {
          ctx.access.admin_call(
              [&](klab::client::Admin& a) { a.create_topic(topic, request_timeout); });
        } catch (const klab::KafkaException& e) {
          if (e.error().code() == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            throw conflict(fmt::format("topic '{}' already exists: pick another name", *name));
          throw;
        }
        ctx.refresher.refresh_now(after_change_wait);
        send_json(res, {{"name", *name}}, 201);
      }));

  server.Get(R"(/api/topics/([^/]+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               std::string name = req.matches[1];
               check_topic_name(name);
               auto topic = cached_topic(ctx, name);
               auto configs = ctx.access.admin_call([&](klab::client::Admin& a) {
                 return a.describe_topic_config(name, request_timeout);
               });
               send_json(res, {{"name", topic.name},
                               {"internal", topic.internal},
                               {"partitions", partitions_json(topic)},
                               {"configs", configs_json(configs)}});
             }));

  server.Put(
      R"(/api/topics/([^/]+)/configs)",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        std::string name = req.matches[1];
        check_topic_name(name);
        auto body = parse_body(req);
        if (!body.contains("configs"))
          throw invalid_input(
              "'configs' is required: {\"configs\": {\"retention.ms\": \"60000\"}}");
        auto changes = config_map(body, "configs");
        // AlterConfigs replaces every override: start from the current ones (incremental).
        auto current = ctx.access.admin_call(
            [&](klab::client::Admin& a) { return a.describe_topic_config(name, request_timeout); });
        std::map<std::string, std::string> overrides;
        for (const auto& e : current)
          if (e.source == "DYNAMIC_TOPIC_CONFIG" && e.value) overrides[e.name] = *e.value;
        for (const auto& [k, v] : changes) {
          bool known = std::any_of(current.begin(), current.end(),
                                   [&](const auto& e) { return e.name == k; });
          if (!known)
            throw invalid_input(fmt::format(
                "'{}' is not a topic config: see the config list of the topic for valid names", k));
          if (v)
            overrides[k] = *v;
          else
            overrides.erase(k);
        }
        ctx.access.admin_call([&](klab::client::Admin& a) {
          a.alter_topic_config(name, overrides, request_timeout);
        });
        // The brokers apply the change from the metadata log a moment later: answer once
        // DescribeConfigs shows it, so the page never displays the old value.
        std::vector<klab::client::ConfigEntry> after;
        auto applied = [&] {
          after = ctx.access.admin_call([&](klab::client::Admin& a) {
            return a.describe_topic_config(name, request_timeout);
          });
          for (const auto& [k, v] : changes)
            for (const auto& e : after)
              if (e.name == k && (v ? (e.source != "DYNAMIC_TOPIC_CONFIG" || e.value != v)
                                    : e.source == "DYNAMIC_TOPIC_CONFIG"))
                return false;
          return true;
        };
        auto deadline = std::chrono::steady_clock::now() + after_change_wait;
        while (!applied() && std::chrono::steady_clock::now() < deadline)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        send_json(res, {{"configs", configs_json(after)}});
      }));

  server.Delete(
      R"(/api/topics/([^/]+))",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        std::string name = req.matches[1];
        check_topic_name(name);
        if (query_string(req, "confirm") != name)
          throw ApiError(400, "confirmation_required",
                         fmt::format("deleting topic '{}' removes all its messages: repeat its "
                                     "name as ?confirm={} to go ahead",
                                     name, name));
        ctx.access.admin_call(
            [&](klab::client::Admin& a) { a.delete_topic(name, request_timeout); });
        ctx.refresher.refresh_now(after_change_wait);
        send_json(res, {{"deleted", name}});
      }));
}

}  // namespace klab::console
