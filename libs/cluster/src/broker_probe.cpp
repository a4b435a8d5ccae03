#include "broker_probe.hpp"

#include "klab/client/admin.hpp"
#include "klab/client/config.hpp"

namespace klab::cluster {

struct BrokerProbe::Impl {
  std::string bootstrap;
  std::map<std::string, std::string> security;
  std::unique_ptr<klab::client::Admin> admin;
};

BrokerProbe::BrokerProbe(std::string bootstrap, std::map<std::string, std::string> security)
    : impl_(std::make_unique<Impl>()) {
  impl_->bootstrap = std::move(bootstrap);
  impl_->security = std::move(security);
}

BrokerProbe::~BrokerProbe() = default;

int BrokerProbe::broker_count(std::chrono::milliseconds timeout) {
  try {
    if (!impl_->admin) {
      klab::client::Config c;
      for (const auto& [k, v] : impl_->security) c.set(k, v);
      c.bootstrap_servers(impl_->bootstrap);
      // Connection refusals are expected while nodes start: keep librdkafka quiet.
      c.set("log_level", "0");
      impl_->admin = std::make_unique<klab::client::Admin>(c);
    }
    return static_cast<int>(impl_->admin->describe_cluster(timeout).brokers.size());
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace klab::cluster
