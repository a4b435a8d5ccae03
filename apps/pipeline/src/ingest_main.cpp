// pipeline-ingest: the web channel's HTTP endpoint. POST /sales with one JSON sale per line;
// each line goes to Kafka as it came (the stream step validates), and the answer (202) waits
// until Kafka acknowledged every line, so a client that saw 202 knows nothing is lost.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <sstream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/producer.hpp"
#include "sales.hpp"

using namespace std::chrono_literals;

int pipeline_ingest_main(int argc, char** argv) {
  CLI::App app{"Takes sales over HTTP (POST /sales, JSON lines) into Kafka."};
  klab::apps::pipeline::PipelineTopics topics;
  int port = 8090;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--port", port, "HTTP port on 127.0.0.1")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.web(), 3);
    config.set("acks", "all").set("enable.idempotence", "true").set("linger.ms", "5");
    klab::client::Producer producer(config);
    httplib::Server server;
    server.Post("/sales", [&](const httplib::Request& req, httplib::Response& res) {
      std::istringstream in(req.body);
      std::atomic<int> acked{0}, failed{0};
      int sent = 0;
      for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        klab::client::ProducerRecord r;
        r.topic = topics.web();
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded() && j.is_object() && j.contains("sale_id") && j["sale_id"].is_string())
          r.key = j["sale_id"].get<std::string>();
        r.value = line;
        auto refused = producer.send(r, [&](const klab::client::DeliveryReport& d) {
          (d.error ? failed : acked).fetch_add(1);
        });
        if (refused)
          ++failed;
        else
          ++sent;
      }
      producer.flush(30s);
      nlohmann::json answer{{"accepted", acked.load()}, {"failed", failed.load()}};
      res.status = failed == 0 ? 202 : 503;
      res.set_content(answer.dump() + "\n", "application/json");
    });
    server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok\n", "text/plain");
    });
    if (!server.bind_to_port("127.0.0.1", port))
      return klab::apps::fail("pipeline-ingest", "port " + std::to_string(port) +
                                                     " is in use: choose another with --port");
    std::thread http([&] { server.listen_after_bind(); });
    std::cout << "pipeline-ingest: POST http://127.0.0.1:" << port << "/sales -> " << topics.web()
              << std::endl;
    while (!klab::apps::stop_requested()) std::this_thread::sleep_for(100ms);
    server.stop();
    http.join();
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("pipeline-ingest", e.what());
  }
}
