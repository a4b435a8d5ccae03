// notify-web: the notification page. Serves one HTML page and pushes each user's notifications
// to it over Server-Sent Events (/events?user=NAME), read from the notifications topic with
// read_committed, so a browser never sees a notification whose transaction was aborted.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "rules.hpp"

using namespace std::chrono_literals;

namespace {

constexpr const char* kPage = R"HTML(<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>실시간 알림</title>
<style>
 body { font-family: "NanumGothic", sans-serif; margin: 2rem; background: #f6f7f9; color: #1d2733; }
 h1 { font-size: 1.4rem; } #status { color: #667; font-size: .9rem; }
 ul { list-style: none; padding: 0; max-width: 40rem; }
 li.notification { background: #fff; border-left: 4px solid #3b82f6; margin: .5rem 0; padding: .7rem 1rem;
   border-radius: 4px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
 li.notification.security { border-left-color: #dc2626; }
 .kind { font-weight: bold; margin-right: .5rem; }
</style></head>
<body>
<h1>실시간 알림: <span id="user"></span></h1>
<div id="status">연결 중…</div>
<ul id="list"></ul>
<script>
 const user = new URLSearchParams(location.search).get("user") || "alice";
 document.getElementById("user").textContent = user;
 const status = document.getElementById("status");
 const source = new EventSource("/events?user=" + encodeURIComponent(user));
 source.onopen = () => { status.textContent = "연결됨 (Server-Sent Events)"; status.dataset.connected = "1"; };
 source.onerror = () => { status.textContent = "연결이 끊겼습니다: 다시 연결하는 중…"; };
 source.addEventListener("notification", (e) => {
   const n = JSON.parse(e.data);
   const li = document.createElement("li");
   li.className = "notification " + n.kind;
   const kind = document.createElement("span");
   kind.className = "kind";
   kind.textContent = n.kind === "security" ? "보안" : "소식";
   li.append(kind, document.createTextNode(n.text));
   document.getElementById("list").prepend(li);
 });
</script>
</body></html>
)HTML";

struct Hub {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<nlohmann::json> recent;  // the newest notifications, for every user
  std::uint64_t next_seq = 0;         // sequence of recent.back() + 1
  bool stopping = false;
};

}  // namespace

int notify_web_main(int argc, char** argv) {
  CLI::App app{"Pushes notifications to a browser page over Server-Sent Events."};
  klab::apps::notifications::NotifyTopics topics;
  int port = 8095;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--port", port, "HTTP port on 127.0.0.1")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.notifications(), 3);
    Hub hub;
    httplib::Server server;
    server.Get("/", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(kPage, "text/html; charset=utf-8");
    });
    server.Get("/events", [&](const httplib::Request& req, httplib::Response& res) {
      const std::string user = req.has_param("user") ? req.get_param_value("user") : "";
      std::uint64_t from;
      {
        std::lock_guard lock(hub.mutex);
        from = hub.next_seq;  // only what comes after the page connected
      }
      std::cout << "notify-web: page connected for " << user << std::endl;
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider(
          "text/event-stream", [&hub, user, from](size_t, httplib::DataSink& sink) mutable {
            std::unique_lock lock(hub.mutex);
            hub.changed.wait_for(lock, 15s, [&] { return hub.stopping || hub.next_seq > from; });
            if (hub.stopping) return false;
            std::string out;
            const std::uint64_t first = hub.next_seq - hub.recent.size();
            for (std::uint64_t s = std::max(from, first); s < hub.next_seq; ++s) {
              const auto& n = hub.recent[s - first];
              if (n.value("user", "") == user)
                out += "event: notification\ndata: " + n.dump() + "\n\n";
            }
            from = hub.next_seq;
            lock.unlock();
            if (out.empty()) out = ": keep-alive\n\n";
            return sink.write(out.data(), out.size());
          });
    });
    if (!server.bind_to_port("127.0.0.1", port))
      return klab::apps::fail(
          "notify-web", "port " + std::to_string(port) + " is in use: choose another with --port");
    std::thread http([&] { server.listen_after_bind(); });

    auto consumer_config = config;
    consumer_config.set("group.id", "notify-web")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "latest")
        .set("isolation.level", "read_committed");
    klab::client::Consumer consumer(consumer_config);
    {
      // From the end as it is now, fixed before the page is served: "latest" would be resolved
      // only when the first fetch starts, and could skip what came in between.
      klab::client::Admin admin(config);
      std::vector<klab::client::TopicPartition> from;
      auto described = admin.describe_topics({topics.notifications()}, 30s);
      for (const auto& p : described.at(0).partitions)
        from.push_back({topics.notifications(), p.id,
                        admin.watermark_offsets(topics.notifications(), p.id, 30s).high});
      consumer.assign(from);
    }
    std::cout << "notify-web: http://127.0.0.1:" << port << "/?user=alice" << std::endl;
    while (!klab::apps::stop_requested()) {
      auto r = consumer.poll(200ms);
      if (!r || r->error() || !r->value()) continue;
      auto n = nlohmann::json::parse(*r->value(), nullptr, false);
      if (n.is_discarded()) continue;
      std::lock_guard lock(hub.mutex);
      hub.recent.push_back(std::move(n));
      ++hub.next_seq;
      if (hub.recent.size() > 1000) hub.recent.pop_front();
      hub.changed.notify_all();
    }
    {
      std::lock_guard lock(hub.mutex);
      hub.stopping = true;
      hub.changed.notify_all();
    }
    server.stop();
    http.join();
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("notify-web", e.what());
  }
}
