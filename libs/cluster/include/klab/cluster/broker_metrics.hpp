#pragma once
// Broker metrics over HTTP: every lab node runs the Prometheus JMX exporter as a Java agent
// (kafka/config/jmx-exporter.yaml names the metrics), so JMX MBeans are read as Prometheus text.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/cluster/lab_paths.hpp"

namespace klab::cluster {

/// One sample of the Prometheus text format: name{labels} value.
struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

/// Parses Prometheus text exposition format (comments and blank lines skipped; label values
/// unescaped). Throws ClusterError naming the line number on a malformed sample.
std::vector<MetricSample> parse_prometheus_text(std::string_view text);

/// The first sample named `name` whose labels include every pair in `labels`.
std::optional<double> find_metric(const std::vector<MetricSample>& samples, std::string_view name,
                                  const std::map<std::string, std::string>& labels = {});
/// The sum of every sample named `name` whose labels include every pair in `labels`
/// (0 when none matches).
double sum_metric(const std::vector<MetricSample>& samples, std::string_view name,
                  const std::map<std::string, std::string>& labels = {});

/// GETs an exporter URL ("http://127.0.0.1:9292/metrics") and parses it. Throws ClusterError
/// naming the URL when it cannot be reached, answers non-200 or is not Prometheus text.
std::vector<MetricSample> scrape_metrics(const std::string& url, std::chrono::milliseconds timeout);

/// Where a cluster's broker metrics are: $KLAB_METRICS_URLS (comma-separated, one per broker,
/// in node-id order) when set; else, for the lab's own cluster, each node's exporter at its
/// client port + defaults::metrics_port_offset; else (an external cluster without the
/// variable) none.
std::vector<std::string> metrics_urls(const LabPaths& paths);

}  // namespace klab::cluster
