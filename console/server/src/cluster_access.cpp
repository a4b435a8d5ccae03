#include "cluster_access.hpp"

#include <random>

namespace klab::console {

namespace {
// librdkafka logs every failed connect to stderr; the page shows the cluster's state instead.
klab::client::Config quiet(klab::client::Config c) {
  if (!c.get("log_level")) c.set(klab::client::keys::log_level, "2");
  return c;
}
}  // namespace

ClusterAccess::ClusterAccess(klab::client::Config config)
    : config_(quiet(std::move(config))), admin_(config_) {}

klab::client::Config ClusterAccess::reader_config(const std::string& purpose) const {
  klab::client::Config c = config_;
  c.set(klab::client::keys::group_id,
        "klab-console-" + purpose + "-" + std::to_string(std::random_device{}()));
  c.set(klab::client::keys::enable_auto_commit, "false");
  c.set(klab::client::keys::enable_auto_offset_store, "false");
  c.set(klab::client::keys::auto_offset_reset, "earliest");
  c.set(klab::client::keys::isolation_level, "read_uncommitted");
  c.set(klab::client::keys::allow_auto_create_topics, "false");
  return c;
}

klab::client::Producer& ClusterAccess::producer() {
  std::lock_guard lock(producer_mutex_);
  if (!producer_) {
    klab::client::Config c = config_;
    c.set(klab::client::keys::acks, "all");
    c.set(klab::client::keys::message_timeout_ms,
          "15000");  // a dead cluster answers the page within 15 s
    producer_ = std::make_unique<klab::client::Producer>(c);
  }
  return *producer_;
}

}  // namespace klab::console
