#include "broker_scrape.hpp"

#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"

namespace klab::lessons {
using namespace std::chrono_literals;

ClusterScrape ClusterScrape::take() {
  ClusterScrape out;
  for (const auto& url : klab::testing::cluster().metrics_urls())
    out.brokers.push_back(klab::cluster::scrape_metrics(url, klab::cluster::scaled(10s)));
  return out;
}

double ClusterScrape::sum(const std::string& name,
                          const std::map<std::string, std::string>& labels) const {
  double total = 0;
  for (const auto& samples : brokers) total += klab::cluster::sum_metric(samples, name, labels);
  return total;
}

double ClusterScrape::on(int node_id, const std::string& name,
                         const std::map<std::string, std::string>& labels) const {
  return klab::cluster::sum_metric(brokers.at(node_id - 1), name, labels);
}

}  // namespace klab::lessons
