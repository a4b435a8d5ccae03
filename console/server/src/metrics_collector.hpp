#pragma once
// Broker metrics for the console: one thread scrapes every broker's JMX exporter each
// `interval`, turns counters into per-second rates (difference of two scrapes) and keeps the
// last 10 minutes of rates for the charts.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "klab/cluster/broker_metrics.hpp"

namespace klab::console {

struct Rates {
  double messages_in = 0, bytes_in = 0, bytes_out = 0;
};

struct Latency {
  std::optional<double> p50, p99;
};

struct BrokerMetrics {
  std::int32_t id = 0;
  std::string url;
  bool up = false;
  std::string error;           ///< why the last scrape failed
  std::optional<Rates> rates;  ///< nullopt until two scrapes answered
  /// The time the rates cover: since the previous answer of this broker's exporter (a failed
  /// scrape in between widens it, so nothing appended meanwhile drops out of the rates).
  std::int64_t rate_window_ms = 0;
  std::optional<double> under_replicated, offline_partitions, active_controller,
      request_handler_idle_ratio;
  std::map<std::string, Latency> request_latency_ms;  ///< Produce, FetchConsumer, Fetch, Metadata
  std::map<std::string, Rates> topic_rates;
  std::map<std::string, double> topic_messages_total;  ///< the counters the rates come from
  std::optional<double> raft_leader, raft_epoch, raft_high_watermark, raft_log_end_offset;
  std::optional<std::string> kafka_version;
  std::map<std::pair<std::string, std::int32_t>, double> log_size_bytes;
};

struct MetricsState {
  bool available = false;
  std::string reason;  ///< why not available
  std::int64_t at_ms = 0;
  std::vector<BrokerMetrics> brokers;
  std::map<std::string, Rates> topics;  ///< summed over brokers
  /// Records appended to each topic since its brokers started (MessagesInPerSec's count).
  std::map<std::string, double> topic_messages_total;
  /// Bytes on disk of one copy of each topic (the largest replica of each partition).
  std::map<std::string, double> topic_size_bytes;
  std::optional<std::string> kafka_version;
};

struct MetricsPoint {
  std::int64_t t_ms = 0;
  std::map<std::int32_t, Rates> brokers;
  std::map<std::int32_t, std::int64_t> windows_ms;  ///< each broker's rate_window_ms
  std::map<std::string, Rates> topics;
};

class MetricsCollector {
 public:
  /// `broker_ids` gives the cluster's broker ids (sorted) so the i-th URL is matched to the i-th
  /// broker; the lab's nodes are 1..N when it is empty.
  MetricsCollector(std::vector<std::string> urls, std::chrono::milliseconds interval,
                   std::function<std::vector<std::int32_t>()> broker_ids);
  ~MetricsCollector();  ///< stop()
  void start();
  void stop();
  std::shared_ptr<const MetricsState> state() const;
  std::vector<MetricsPoint> history() const;
  void on_scrape(std::function<void(const MetricsState&)> listener);

 private:
  void run();
  void scrape_once();

  std::vector<std::string> urls_;
  std::chrono::milliseconds interval_;
  std::function<std::vector<std::int32_t>()> broker_ids_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::shared_ptr<const MetricsState> state_;
  std::deque<MetricsPoint> history_;
  // The previous scrape of each URL, for rates.
  std::map<std::string, std::pair<std::int64_t, std::vector<klab::cluster::MetricSample>>> last_;
  std::vector<std::function<void(const MetricsState&)>> listeners_;
  std::thread thread_;
};

}  // namespace klab::console
