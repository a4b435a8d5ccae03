// Messages: browse a window (GET), follow new records live (SSE tail), produce one (POST).
#include <fmt/core.h>

#include <memory>

#include "api_error.hpp"
#include "klab/client/consumer.hpp"
#include "message_browser.hpp"
#include "record_json.hpp"
#include "routes.hpp"
#include "validation.hpp"

namespace klab::console {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

BrowseRequest browse_request(const httplib::Request& req, std::string topic) {
  BrowseRequest b;
  b.topic = std::move(topic);
  b.from = query_string(req, "from", "beginning");
  if (b.from != "beginning" && b.from != "end" && b.from != "offset" && b.from != "timestamp")
    throw invalid_input("from='" + b.from + "': use beginning, end, offset or timestamp");
  b.offset = query_optional_int(req, "offset", 0, INT64_MAX);
  if (b.from == "offset" && !b.offset)
    throw invalid_input("from=offset needs offset=N (an integer >= 0)");
  if (req.has_param("timestamp"))
    b.timestamp_ms = parse_timestamp("timestamp", req.get_param_value("timestamp"));
  if (b.from == "timestamp" && !b.timestamp_ms)
    throw invalid_input("from=timestamp needs timestamp=T (ms since the epoch or ISO-8601)");
  if (auto p = query_optional_int(req, "partition", 0, INT32_MAX))
    b.partition = static_cast<std::int32_t>(*p);
  b.limit = query_int(req, "limit", 50, 1, 500);
  b.query = to_lower(query_string(req, "q"));
  b.field = query_string(req, "in", "any");
  if (b.field != "any" && b.field != "key" && b.field != "value" && b.field != "header")
    throw invalid_input("in='" + b.field + "': use any, key, value or header");
  return b;
}

void tail(ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
          const std::string& topic) {
  auto ids = topic_partitions(ctx.access, topic);
  if (auto p = query_optional_int(req, "partition", 0, INT32_MAX)) {
    if (std::find(ids.begin(), ids.end(), *p) == ids.end())
      throw not_found(fmt::format("topic '{}' has no partition {}", topic, *p));
    ids = {static_cast<std::int32_t>(*p)};
  }
  auto consumer = std::make_shared<klab::client::Consumer>(ctx.access.reader_config("tail"));
  std::vector<klab::client::TopicPartition> assignment;
  for (auto id : ids) assignment.push_back({topic, id, klab::client::offset_end});
  // Resolve "the end" before the stream answers: left to the consumer's first fetch, it would
  // skip records produced after the client saw the stream open.
  ctx.access.count();
  assignment = consumer->offsets_for_times(assignment, request_timeout);
  for (auto& tp : assignment) {
    if (tp.error) throw klab::KafkaException(tp.error, "looking up the end of " + topic);
    tp.error = {};
  }
  consumer->assign(assignment);
  ctx.access.count();
  auto last_write =
      std::make_shared<std::chrono::steady_clock::time_point>(std::chrono::steady_clock::now());
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [&ctx, consumer, last_write](std::size_t offset, httplib::DataSink& sink) {
        if (ctx.events.closed()) return false;
        std::string out = offset == 0 ? "retry: 2000\n\n" : "";
        for (auto& r : consumer->poll_batch(100, 500ms))
          if (!r.error())
            out += sse_frame("message",
                             record_json(r).dump(-1, ' ', false, json::error_handler_t::replace));
        auto now = std::chrono::steady_clock::now();
        if (out.empty() && now - *last_write >= 15s) out = ": keep-alive\n\n";
        if (out.empty()) return sink.is_writable();
        *last_write = now;
        return sink.write(out.data(), out.size());
      },
      [consumer](bool) { consumer->close(); });
}

klab::client::Headers headers_from(const json& body) {
  klab::client::Headers headers;
  auto it = body.find("headers");
  if (it == body.end() || it->is_null()) return headers;
  if (!it->is_array())
    throw invalid_input("'headers' must be a list of {\"key\": ..., \"value\": ...}");
  for (const auto& h : *it) {
    if (!h.is_object()) throw invalid_input("each header must be {\"key\": ..., \"value\": ...}");
    auto key = json_string(h, "key");
    if (!key || key->empty()) throw invalid_input("a header needs a non-empty 'key'");
    headers.add(*key, json_string(h, "value"));
  }
  return headers;
}

}  // namespace

void add_message_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get(R"(/api/topics/([^/]+)/messages)",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               std::string topic = req.matches[1];
               check_topic_name(topic);
               send_json(res, browse_messages(ctx.access, browse_request(req, topic)));
             }));

  server.Get(R"(/api/topics/([^/]+)/tail)",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               std::string topic = req.matches[1];
               check_topic_name(topic);
               tail(ctx, req, res, topic);
             }));

  server.Post(
      R"(/api/topics/([^/]+)/messages)",
      mutating(ctx.options.read_only, [&ctx](const httplib::Request& req, httplib::Response& res) {
        std::string topic = req.matches[1];
        check_topic_name(topic);
        auto body = parse_body(req);
        klab::client::ProducerRecord record;
        record.topic = topic;
        record.key = json_string(body, "key");
        record.value = json_string(body, "value");
        record.headers = headers_from(body);
        if (auto p = json_int(body, "partition", 0, INT32_MAX))
          record.partition = static_cast<std::int32_t>(*p);
        auto ids = topic_partitions(ctx.access, topic);  // 404 before the producer waits
        if (record.partition && std::find(ids.begin(), ids.end(), *record.partition) == ids.end())
          throw invalid_input(fmt::format("topic '{}' has no partition {} (it has 0..{})", topic,
                                          *record.partition, ids.size() - 1));
        ctx.access.count();
        auto report = ctx.access.producer().send_sync(std::move(record), 20s);
        if (report.error) throw klab::KafkaException(report.error, "producing to " + topic);
        send_json(res,
                  {{"partition", report.partition},
                   {"offset", report.offset},
                   {"timestamp_ms", report.timestamp.ms}},
                  201);
      }));
}

}  // namespace klab::console
