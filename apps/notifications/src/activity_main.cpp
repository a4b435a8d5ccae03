// notify-activity: simulated users: now and then a burst of failed logins, follows and posts,
// so the notification page has something to show (open it for alice, bob or carol).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "klab/apps/app_support.hpp"
#include "klab/client/producer.hpp"
#include "rules.hpp"

using namespace std::chrono_literals;

int notify_activity_main(int argc, char** argv) {
  CLI::App app{"Sends simulated user activity."};
  klab::apps::notifications::NotifyTopics topics;
  double rate = 2;
  app.add_option("--prefix", topics.prefix, "prefix of every topic name");
  app.add_option("--rate", rate, "events per second")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    auto config = klab::apps::cluster_config();
    klab::apps::ensure_topic(config, topics.activity(), 3);
    config.set("acks", "all").set("enable.idempotence", "true");
    klab::client::Producer producer(config);
    const std::vector<std::string> users{"alice", "bob", "carol", "dave"};
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    for (long i = 0; !klab::apps::stop_requested(); ++i) {
      const auto& user = users[i % users.size()];
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      nlohmann::json e;
      switch (i % 7) {
        case 0:
          e = {{"type", "follow"}, {"user", user}, {"target", users[(i + 1) % users.size()]}};
          break;
        case 1:
          e = {{"type", "post"}, {"user", user}, {"post_id", "p-" + std::to_string(i)}};
          break;
        default:
          e = {{"type", "login_failed"}, {"user", users[(i / 20) % users.size()]}, {"ts", now}};
      }
      klab::client::ProducerRecord r;
      r.topic = topics.activity();
      r.key = e["user"].get<std::string>();
      r.value = e.dump();
      if (auto err = producer.send(r)) throw klab::KafkaException(err, "send");
      std::this_thread::sleep_for(gap);
    }
    producer.flush(30s);
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("notify-activity", e.what());
  }
}
