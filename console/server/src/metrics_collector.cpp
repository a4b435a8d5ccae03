#include "metrics_collector.hpp"

#include <fmt/core.h>

#include <algorithm>

#include "cluster_snapshot.hpp"  // now_ms

namespace klab::console {

using klab::cluster::MetricSample;

namespace {

constexpr std::int64_t history_ms = 10 * 60 * 1000;
constexpr std::chrono::milliseconds scrape_timeout{2000};

// The broker-wide value of a metric: the sample without a topic label.
std::optional<double> broker_wide(const std::vector<MetricSample>& samples, std::string_view name) {
  for (const auto& s : samples)
    if (s.name == name && !s.labels.count("topic")) return s.value;
  return std::nullopt;
}

std::map<std::string, double> per_topic(const std::vector<MetricSample>& samples,
                                        std::string_view name) {
  std::map<std::string, double> out;
  for (const auto& s : samples)
    if (s.name == name)
      if (auto t = s.labels.find("topic"); t != s.labels.end()) out[t->second] += s.value;
  return out;
}

// Per-second rate of a counter between two scrapes; a counter that went down (the broker
// restarted) counts as a fresh start from 0.
double rate(double before, double after, double seconds) {
  if (seconds <= 0) return 0;
  return (after >= before ? after - before : after) / seconds;
}

void fill_rates(BrokerMetrics& b, const std::vector<MetricSample>& before,
                const std::vector<MetricSample>& after, double seconds) {
  auto total = [&](std::string_view name) {
    return rate(broker_wide(before, name).value_or(0), broker_wide(after, name).value_or(0),
                seconds);
  };
  b.rates = Rates{total("kafka_server_messages_in_total"), total("kafka_server_bytes_in_total"),
                  total("kafka_server_bytes_out_total")};
  auto topics = [&](std::string_view name, double Rates::*field) {
    auto b0 = per_topic(before, name);
    for (const auto& [topic, v] : per_topic(after, name)) {
      auto it = b0.find(topic);
      b.topic_rates[topic].*field = rate(it == b0.end() ? 0 : it->second, v, seconds);
    }
  };
  topics("kafka_server_messages_in_total", &Rates::messages_in);
  topics("kafka_server_bytes_in_total", &Rates::bytes_in);
  topics("kafka_server_bytes_out_total", &Rates::bytes_out);
}

void fill_gauges(BrokerMetrics& b, const std::vector<MetricSample>& s) {
  using klab::cluster::find_metric;
  b.under_replicated = find_metric(s, "kafka_server_under_replicated_partitions");
  b.offline_partitions = find_metric(s, "kafka_controller_offline_partitions");
  b.active_controller = find_metric(s, "kafka_controller_active_controller_count");
  b.request_handler_idle_ratio = find_metric(s, "kafka_server_request_handler_idle_ratio");
  for (const char* request : {"Produce", "FetchConsumer", "Fetch", "Metadata"}) {
    Latency l;
    l.p50 = find_metric(s, "kafka_network_request_total_time_ms",
                        {{"request", request}, {"quantile", "0.50"}});
    l.p99 = find_metric(s, "kafka_network_request_total_time_ms",
                        {{"request", request}, {"quantile", "0.99"}});
    b.request_latency_ms[request] = l;
  }
  b.raft_leader = find_metric(s, "kafka_raft_current_leader");
  b.raft_epoch = find_metric(s, "kafka_raft_current_epoch");
  b.raft_high_watermark = find_metric(s, "kafka_raft_high_watermark");
  b.raft_log_end_offset = find_metric(s, "kafka_raft_log_end_offset");
  for (const auto& m : s) {
    if (m.name == "kafka_server_version" || m.name == "kafka_server_info")
      if (auto v = m.labels.find("version"); v != m.labels.end()) b.kafka_version = v->second;
    if (m.name == "kafka_log_size_bytes") {
      auto t = m.labels.find("topic");
      auto p = m.labels.find("partition");
      if (t != m.labels.end() && p != m.labels.end()) {
        try {
          b.log_size_bytes[{t->second, std::stoi(p->second)}] = m.value;
        } catch (const std::exception&) {
        }
      }
    }
  }
}

}  // namespace

MetricsCollector::MetricsCollector(std::vector<std::string> urls,
                                   std::chrono::milliseconds interval,
                                   std::function<std::vector<std::int32_t>()> broker_ids)
    : urls_(std::move(urls)),
      interval_(interval),
      broker_ids_(std::move(broker_ids)),
      state_(std::make_shared<MetricsState>()) {
  auto initial = std::make_shared<MetricsState>();
  initial->reason = urls_.empty() ? "no broker metrics URLs are known: the lab's own cluster "
                                    "exposes them (`klab up`); for another cluster set "
                                    "KLAB_METRICS_URLS to its JMX exporters"
                                  : "the first scrape has not finished yet";
  state_ = initial;
}

MetricsCollector::~MetricsCollector() { stop(); }

void MetricsCollector::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || urls_.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void MetricsCollector::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const MetricsState> MetricsCollector::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::vector<MetricsPoint> MetricsCollector::history() const {
  std::lock_guard lock(mutex_);
  return {history_.begin(), history_.end()};
}

void MetricsCollector::on_scrape(std::function<void(const MetricsState&)> listener) {
  std::lock_guard lock(mutex_);
  listeners_.push_back(std::move(listener));
}

void MetricsCollector::run() {
  for (;;) {
    scrape_once();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, interval_, [&] { return stopping_; })) return;
  }
}

void MetricsCollector::scrape_once() {
  auto next = std::make_shared<MetricsState>();
  next->at_ms = now_ms();
  auto ids = broker_ids_ ? broker_ids_() : std::vector<std::int32_t>{};
  if (ids.size() != urls_.size()) {
    ids.clear();
    for (std::size_t i = 0; i < urls_.size(); ++i) ids.push_back(static_cast<std::int32_t>(i + 1));
  }
  std::string first_error;
  for (std::size_t i = 0; i < urls_.size(); ++i) {
    BrokerMetrics b;
    b.id = ids[i];
    b.url = urls_[i];
    try {
      auto t = now_ms();
      auto samples = klab::cluster::scrape_metrics(b.url, scrape_timeout);
      b.up = true;
      fill_gauges(b, samples);
      b.topic_messages_total = per_topic(samples, "kafka_server_messages_in_total");
      auto prev = last_.find(b.url);
      if (prev != last_.end()) {
        b.rate_window_ms = t - prev->second.first;
        fill_rates(b, prev->second.second, samples, static_cast<double>(b.rate_window_ms) / 1000.0);
      }
      last_[b.url] = {t, std::move(samples)};
    } catch (const std::exception& e) {
      b.up = false;
      b.error = e.what();
      // The last answer stays the base: the next rate covers the gap, so no record drops out.
      if (first_error.empty()) first_error = e.what();
    }
    if (b.kafka_version && !next->kafka_version) next->kafka_version = b.kafka_version;
    next->brokers.push_back(std::move(b));
  }
  std::map<std::pair<std::string, std::int32_t>, double> sizes;
  for (const auto& b : next->brokers) {
    for (const auto& [topic, r] : b.topic_rates) {
      auto& t = next->topics[topic];
      t.messages_in += r.messages_in;
      t.bytes_in += r.bytes_in;
      t.bytes_out += r.bytes_out;
    }
    for (const auto& [topic, n] : b.topic_messages_total) next->topic_messages_total[topic] += n;
    for (const auto& [key, bytes] : b.log_size_bytes) sizes[key] = std::max(sizes[key], bytes);
  }
  for (const auto& [key, bytes] : sizes) next->topic_size_bytes[key.first] += bytes;
  next->available =
      std::any_of(next->brokers.begin(), next->brokers.end(), [](const auto& b) { return b.up; });
  if (!next->available)
    next->reason = "no broker's metrics exporter answered (" + first_error +
                   "): is the cluster running? (`klab status`)";

  MetricsPoint point{.t_ms = next->at_ms, .topics = next->topics};
  for (const auto& b : next->brokers)
    if (b.rates) {
      point.brokers[b.id] = *b.rates;
      point.windows_ms[b.id] = b.rate_window_ms;
    }

  std::vector<std::function<void(const MetricsState&)>> listeners;
  {
    std::lock_guard lock(mutex_);
    state_ = next;
    if (!point.brokers.empty()) history_.push_back(std::move(point));
    while (!history_.empty() && history_.front().t_ms < next->at_ms - history_ms)
      history_.pop_front();
    listeners = listeners_;
  }
  for (const auto& l : listeners) l(*next);
}

}  // namespace klab::console
