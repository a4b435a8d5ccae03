#include "drill_broker.hpp"

#include <fmt/core.h>

#include <chrono>

#include "klab/cluster/await.hpp"
#include "klab/cluster/raw_request.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::lab::drill_broker {
using namespace std::chrono_literals;

namespace {

bool running(const klab::cluster::LocalCluster& lab, int id) {
  for (const auto& n : lab.nodes())
    if (n.id == id) return n.running && !n.paused;
  return false;
}

std::string last_words(const klab::cluster::LocalCluster& lab, int id) {
  auto file = lab.node_dir(id) / "logs" / "stdout.log";
  auto tail = klab::cluster::tail_file(file, 1);
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  return fmt::format("the end of {} says \"{}\"", file.string(), tail);
}

}  // namespace

void apply(klab::cluster::LocalCluster& lab, int id,
           const std::map<std::string, std::string>& properties) {
  lab.set_node_overrides(id, properties);
  if (lab.nodes().at(id - 1).pid)
    lab.restart_node(id);
  else
    lab.start_node(id);
}

void restore(klab::cluster::LocalCluster& lab, int id) {
  if (lab.any_running())
    apply(lab, id, {});
  else
    lab.set_node_overrides(id, {});
}

DrillCheck check(const klab::cluster::LocalCluster& lab, int id,
                 const std::map<std::string, std::string>& properties, const std::string& fix) {
  if (!running(lab, id))
    return {false, fmt::format("node {} is down: {}. {}", id, last_words(lab, id), fix)};
  auto port = lab.nodes().at(id - 1).client_port;
  auto reply = klab::cluster::send_raw("127.0.0.1", port, klab::cluster::http_health_check,
                                       klab::cluster::scaled(10s));
  // A broker that took the request dies within moments of allocating for it.
  bool died = klab::cluster::await_until([&] { return !running(lab, id); },
                                         klab::cluster::scaled(3s), 100ms);
  if (died)
    return {false, fmt::format("node {} died on an HTTP request written to its port: {}. {}", id,
                               last_words(lab, id), fix)};
  if (reply == klab::cluster::RawReply::silent)
    return {false,
            fmt::format("node {} took an HTTP request claiming {} bytes and waits for the "
                        "rest (its heap is promised to it): {}",
                        id, klab::cluster::claimed_size(klab::cluster::http_health_check), fix)};
  auto limit = properties.contains("socket.request.max.bytes")
                   ? properties.at("socket.request.max.bytes")
                   : std::string("104857600 (the default)");
  return {true,
          fmt::format("node {} refused an HTTP request claiming {} bytes "
                      "(socket.request.max.bytes={}) and stays up",
                      id, klab::cluster::claimed_size(klab::cluster::http_health_check), limit)};
}

}  // namespace klab::lab::drill_broker
