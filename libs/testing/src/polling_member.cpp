#include "klab/testing/polling_member.hpp"

#include "klab/cluster/await.hpp"

namespace klab::testing {
using Clock = std::chrono::steady_clock;

PollingMember::PollingMember(klab::client::Config config, const std::string& topic)
    : last_event_(Clock::now().time_since_epoch().count()) {
  config.rebalance_listener([this](klab::client::Consumer&, const klab::client::RebalanceEvent&) {
    ++events_;
    last_event_ = Clock::now().time_since_epoch().count();
  });
  consumer_ = std::make_unique<klab::client::Consumer>(config);
  consumer_->subscribe({topic});
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) consumer_->poll(std::chrono::milliseconds(100));
  });
}

PollingMember::~PollingMember() {
  thread_.request_stop();
  thread_.join();
  consumer_->close();
}

bool PollingMember::await_settled(std::size_t partitions, std::chrono::milliseconds quiet,
                                  std::chrono::milliseconds timeout) const {
  return klab::cluster::await_until(
      [&] {
        auto since = Clock::now() - Clock::time_point(Clock::duration(last_event_.load()));
        return since >= quiet && assigned() == partitions;
      },
      klab::cluster::scaled(timeout), std::chrono::milliseconds(100));
}

}  // namespace klab::testing
