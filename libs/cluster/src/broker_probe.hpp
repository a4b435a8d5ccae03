#pragma once
// Counts registered brokers through the client library's metadata call.
#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace klab::cluster {

class BrokerProbe {
 public:
  /// `security`: client properties a secured lab needs (SASL credentials of its admin).
  explicit BrokerProbe(std::string bootstrap, std::map<std::string, std::string> security = {});
  ~BrokerProbe();
  /// Brokers in the cluster metadata, or 0 when none answers within `timeout`.
  int broker_count(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klab::cluster
