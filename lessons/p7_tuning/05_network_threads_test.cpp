// 7.1.3 Network & IO threads: num.network.threads is per listener (each network thread, a
// "processor", reads and writes sockets); num.io.threads (request handlers) do the work, and a
// request waits in the request queue until one is free: RequestQueueTimeMs. Both are counted from
// the broker's own metrics; the queue times themselves are only printed.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

std::vector<klab::cluster::MetricSample> broker_metrics() {
  return klab::cluster::scrape_metrics(cluster().metrics_urls().at(0), scaled(10s));
}

int processors(const std::string& listener) {
  int n = 0;
  for (const auto& s : broker_metrics())
    if (s.name == "kafka_server_network_processor_connections" && s.labels.count("listener") &&
        s.labels.at("listener") == listener)
      ++n;
  return n;
}

// Kafka's kafka-configs tool: a cluster-wide broker default, applied without a restart.
void broker_default(const std::vector<std::string>& change) {
  std::vector<std::string> args{"--bootstrap-server", cluster().bootstrap(),
                                "--entity-type",      "brokers",
                                "--entity-default",   "--alter"};
  args.insert(args.end(), change.begin(), change.end());
  auto rt = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover());
  auto r = rt.run_tool("org.apache.kafka.tools.ConfigCommand", args, scaled(60s));
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

TEST(P7NetworkThreads, NumNetworkThreadsIsOneProcessorPerListenerAndChangesWithoutARestart) {
  KLAB_ROADMAP("7.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // the lab's node template sets 2, and its exporter is read
  EXPECT_EQ(processors("PLAINTEXT"), 2) << "num.network.threads=2 (kafka/config/node.properties)";
  broker_default({"--add-config", "num.network.threads=3"});
  EXPECT_TRUE(
      klab::cluster::await_until([] { return processors("PLAINTEXT") == 3; }, scaled(30s), 500ms))
      << "a dynamic broker config: the pool grows while the broker runs";
  broker_default({"--delete-config", "num.network.threads"});
  EXPECT_TRUE(
      klab::cluster::await_until([] { return processors("PLAINTEXT") == 2; }, scaled(30s), 500ms))
      << "back to the node's own setting";
}

TEST(P7NetworkThreads, EveryProduceRequestsTimeInTheRequestQueueIsMeasured) {
  KLAB_ROADMAP("7.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("queue-time");
  klab::testing::create_topic(topic, 1, 1);
  auto count = [] {
    return klab::cluster::find_metric(broker_metrics(), "kafka_network_request_queue_timed_total",
                                      {{"request", "Produce"}})
        .value_or(0);
  };
  double before = count();
  klab::client::Producer producer(cluster().client_config().acks("all").linger_ms(0));
  // One at a time: each record is one produce request.
  for (int i = 0; i < 50; ++i)
    ASSERT_FALSE(producer.send_sync({.topic = topic, .value = "v"}, scaled(30s)).error);
  double after = count();
  auto samples = broker_metrics();
  auto p50 = klab::cluster::find_metric(samples, "kafka_network_request_queue_time_ms",
                                        {{"request", "Produce"}, {"quantile", "0.50"}});
  auto p99 = klab::cluster::find_metric(samples, "kafka_network_request_queue_time_ms",
                                        {{"request", "Produce"}, {"quantile", "0.99"}});
  std::cout << "50 produce requests; RequestQueueTimeMs count +" << after - before << ", p50 "
            << p50.value_or(-1) << " ms, p99 " << p99.value_or(-1) << " ms\n";
  EXPECT_GE(after - before, 50) << "every request passes the queue, and is timed there";
  EXPECT_TRUE(p50.has_value());
}

}  // namespace
