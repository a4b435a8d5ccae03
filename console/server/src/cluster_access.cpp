#include "cluster_access.hpp"

#include <random>

namespace klab::console {

namespace {
// librdkafka logs every failed connect to stderr; the page shows the cluster's state instead.
klab::client::Config quiet(klab::client::Config c) {
  if (!c.get("log_level")) c.set("log_level", "2");
  return c;
}
}  // namespace

ClusterAccess::ClusterAccess(klab::client::Config config)
    : config_(quiet(std::move(config))), admin_(config_) {}

klab::client::Config ClusterAccess::reader_config(const std::string& purpose) const {
  klab::client::Config c = config_;
  c.set("group.id", "klab-console-" + purpose + "-" + std::to_string(std::random_device{}()));
  c.set("enable.auto.commit", "false");
  c.set("enable.auto.offset.store", "false");
  c.set("auto.offset.reset", "earliest");
  c.set("isolation.level", "read_uncommitted");
  c.set("allow.auto.create.topics", "false");
  return c;
}

klab::client::Producer& ClusterAccess::producer() {
  std::lock_guard lock(producer_mutex_);
  if (!producer_) {
    klab::client::Config c = config_;
    c.set("acks", "all");
    c.set("message.timeout.ms", "15000");  // a dead cluster answers the page within 15 s
    producer_ = std::make_unique<klab::client::Producer>(c);
  }
  return *producer_;
}

}  // namespace klab::console
