#pragma once
// Reads every broker's JMX exporter once and answers cluster-wide questions (sums over
// brokers), the way a dashboard would. Shared by this phase's lessons.
#include <map>
#include <string>
#include <vector>

#include "klab/cluster/broker_metrics.hpp"
#include "klab/testing/skip.hpp"

namespace klab::lessons {

/// One scrape of every broker of the test cluster, in node-id order (node id = index + 1).
/// Throws ClusterError when an exporter cannot be read.
struct ClusterScrape {
  std::vector<std::vector<klab::cluster::MetricSample>> brokers;

  static ClusterScrape take();
  /// The sum over every broker of the samples named `name` that carry `labels`.
  double sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  /// The same on one broker (node ids are 1-based).
  double on(int node_id, const std::string& name,
            const std::map<std::string, std::string>& labels = {}) const;
};

}  // namespace klab::lessons

/// Skips the test when the cluster's broker metrics are unknown (an external cluster without
/// KLAB_METRICS_URLS).
#define KLAB_REQUIRE_BROKER_METRICS()                                         \
  do {                                                                        \
    if (::klab::testing::cluster().metrics_urls().empty())                    \
      KLAB_SKIP(                                                              \
          "no broker metrics: set KLAB_METRICS_URLS to the exporters of the " \
          "external cluster (comma-separated, in node-id order)");            \
  } while (0)
