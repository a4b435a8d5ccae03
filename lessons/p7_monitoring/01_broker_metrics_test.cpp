// 7.2.2 JMX metrics: every node runs the Prometheus JMX exporter (kafka/config/jmx-exporter.yaml),
// so broker MBeans are plain HTTP text. The counters move exactly as Kafka's design says: the
// leader counts incoming records once, followers do not; a dead follower makes the leaders'
// partitions under-replicated until it is back; exactly one node is the active controller.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "broker_scrape.hpp"
#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::lessons::ClusterScrape;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int kNodes = 3;

std::string create_topic(int partitions, int replication_factor = kNodes) {
  auto topic = unique_name("m");
  klab::client::Admin(cluster().client_config())
      .create_topic(
          {.name = topic, .partitions = partitions, .replication_factor = replication_factor},
          scaled(30s));
  return topic;
}

std::int32_t leader_of(const std::string& topic, std::int32_t partition = 0) {
  klab::client::Admin admin(cluster().client_config());
  std::int32_t leader = -1;
  await_until(
      [&] {
        auto d = admin.describe_topics({topic}, scaled(10s));
        leader = d.at(0).partitions.empty() ? -1 : d.at(0).partitions.at(partition).leader;
        return leader >= 0;
      },
      scaled(30s));
  return leader;
}

TEST(BrokerMetrics, ExporterServesEveryMetricTheConsoleReads) {
  KLAB_ROADMAP("7.2.2");
  KLAB_REQUIRE_BROKER_METRICS();
  // Per-topic series appear with a topic's first record, Produce latency with the first request.
  auto topic = create_topic(1);
  klab::testing::produce_values(cluster().client_config(), topic, {"hello"});
  auto leader = leader_of(topic);
  // A broker creates a request type's RequestsPerSec counter with the first such request it
  // serves; a node that led nothing yet may have served none. Ask each broker for metadata.
  auto brokers = klab::client::Admin(cluster().client_config()).describe_cluster(scaled(10s));
  for (const auto& b : brokers.brokers)
    klab::client::Admin(cluster().client_config().set(klab::client::keys::bootstrap_servers,
                                                      b.host + ":" + std::to_string(b.port)))
        .list_topics(false, scaled(10s));
  ClusterScrape scrape;
  await_until(
      [&] {
        scrape = ClusterScrape::take();
        for (const auto& samples : scrape.brokers)
          if (!klab::cluster::find_metric(samples, "kafka_network_requests_total")) return false;
        return true;
      },
      scaled(20s));
  ASSERT_EQ(scrape.brokers.size(), static_cast<size_t>(kNodes));

  const std::vector<std::string> every_broker = {"kafka_server_messages_in_total",
                                                 "kafka_server_bytes_in_total",
                                                 "kafka_server_bytes_out_total",
                                                 "kafka_server_under_replicated_partitions",
                                                 "kafka_controller_offline_partitions",
                                                 "kafka_controller_active_controller_count",
                                                 "kafka_network_requests_total",
                                                 "kafka_network_request_total_time_ms",
                                                 "kafka_server_request_handler_idle_ratio",
                                                 "kafka_log_size_bytes",
                                                 "kafka_raft_current_leader",
                                                 "kafka_raft_current_epoch",
                                                 "kafka_raft_high_watermark",
                                                 "kafka_raft_log_end_offset",
                                                 "kafka_server_version"};
  for (int node = 1; node <= kNodes; ++node) {
    const auto& samples = scrape.brokers[node - 1];
    for (const auto& name : every_broker)
      EXPECT_TRUE(klab::cluster::find_metric(samples, name)) << name << " missing on node " << node;
    EXPECT_EQ(klab::cluster::find_metric(samples, "kafka_server_version",
                                         {{"version", cluster().local().kafka_version()}}),
              1.0)
        << "node " << node;
    for (const char* request : {"Produce", "Fetch", "FetchConsumer", "Metadata"})
      for (const char* q : {"0.50", "0.99"})
        EXPECT_TRUE(klab::cluster::find_metric(samples, "kafka_network_request_total_time_ms",
                                               {{"request", request}, {"quantile", q}}))
            << request << " p" << q << " missing on node " << node;
    // Every replica has the partition's log on disk; the size is per topic and partition.
    EXPECT_TRUE(klab::cluster::find_metric(samples, "kafka_log_size_bytes",
                                           {{"topic", topic}, {"partition", "0"}}))
        << "node " << node;
  }
  // Per-topic traffic counters exist where the record arrived: on the leader.
  for (const char* name : {"kafka_server_messages_in_total", "kafka_server_bytes_in_total"})
    EXPECT_TRUE(klab::cluster::find_metric(scrape.brokers[leader - 1], name, {{"topic", topic}}))
        << name << " for " << topic << " missing on its leader " << leader;
  EXPECT_TRUE(klab::cluster::find_metric(scrape.brokers[leader - 1], "kafka_network_requests_total",
                                         {{"request", "Produce"}}));
  for (int node = 1; node <= kNodes; ++node) {
    const auto& s = scrape.brokers[node - 1];
    std::cout << "node " << node << ": samples " << s.size() << ", under_replicated "
              << scrape.on(node, "kafka_server_under_replicated_partitions")
              << ", active_controller "
              << scrape.on(node, "kafka_controller_active_controller_count") << ", idle_ratio "
              << scrape.on(node, "kafka_server_request_handler_idle_ratio") << ", Produce p99 ms "
              << scrape.on(node, "kafka_network_request_total_time_ms",
                           {{"request", "Produce"}, {"quantile", "0.99"}})
              << ", raft leader " << scrape.on(node, "kafka_raft_current_leader") << " epoch "
              << scrape.on(node, "kafka_raft_current_epoch") << '\n';
  }
}

TEST(BrokerMetrics, MessagesInCountsEachRecordOnceOnTheLeaderNotOnFollowers) {
  KLAB_ROADMAP("7.2.2");
  KLAB_REQUIRE_BROKER_METRICS();
  auto topic = create_topic(1);
  constexpr int n = 40;
  constexpr size_t size = 100;
  std::vector<std::string> values;
  for (int i = 0; i < n; ++i) values.push_back(std::string(size, static_cast<char>('a' + i % 26)));
  klab::testing::produce_values(cluster().client_config(), topic, values);
  auto leader = leader_of(topic);

  // The meter is marked when the leader appends, before it acknowledges: already complete.
  auto scrape = ClusterScrape::take();
  EXPECT_EQ(scrape.sum("kafka_server_messages_in_total", {{"topic", topic}}), n)
      << "summed over the 3 brokers: RF 3 yet each record counted once";
  EXPECT_EQ(scrape.on(leader, "kafka_server_messages_in_total", {{"topic", topic}}), n);
  for (int node = 1; node <= kNodes; ++node) {
    if (node == leader) continue;
    EXPECT_EQ(scrape.on(node, "kafka_server_messages_in_total", {{"topic", topic}}), 0)
        << "follower " << node << " replicated the records but did not count them as input";
  }
  // Bytes in counts record batches as they arrived: payload plus batch and record framing.
  EXPECT_GE(scrape.sum("kafka_server_bytes_in_total", {{"topic", topic}}), n * size);
  std::cout << "leader " << leader << ": messages_in per node";
  for (int node = 1; node <= kNodes; ++node)
    std::cout << ' ' << scrape.on(node, "kafka_server_messages_in_total", {{"topic", topic}});
  std::cout << "; bytes_in " << scrape.sum("kafka_server_bytes_in_total", {{"topic", topic}})
            << " for " << n << " x " << size << " B\n";
}

TEST(BrokerMetrics, ProduceRequestCounterGrowsWithEveryProduceRequest) {
  KLAB_ROADMAP("7.2.2");
  KLAB_REQUIRE_BROKER_METRICS();
  auto topic = create_topic(1);
  klab::testing::produce_values(cluster().client_config(), topic, {"warm-up"});  // metadata known
  auto before = ClusterScrape::take().sum("kafka_network_requests_total", {{"request", "Produce"}});
  constexpr int n = 10;
  // produce_values waits for each record's acknowledgement: one Produce request per record.
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, n));
  auto after = ClusterScrape::take().sum("kafka_network_requests_total", {{"request", "Produce"}});
  EXPECT_GE(after - before, n);
  std::cout << n << " acknowledged one by one: Produce requests +" << after - before << '\n';
}

TEST(BrokerMetrics, ExactlyOneActiveControllerAndEveryNodeAgreesOnTheQuorumLeader) {
  KLAB_ROADMAP("7.2.2");
  KLAB_REQUIRE_BROKER_METRICS();
  ClusterScrape scrape;
  // An election in progress briefly has none: wait for a settled quorum.
  ASSERT_TRUE(await_until(
      [&] {
        scrape = ClusterScrape::take();
        return scrape.sum("kafka_controller_active_controller_count") == 1;
      },
      scaled(30s)));
  int active = 0;
  for (int node = 1; node <= kNodes; ++node)
    if (scrape.on(node, "kafka_controller_active_controller_count") == 1) active = node;
  ASSERT_NE(active, 0);
  for (int node = 1; node <= kNodes; ++node)
    EXPECT_EQ(scrape.on(node, "kafka_raft_current_leader"), active)
        << "node " << node << " follows another KRaft leader than the active controller";
}

TEST(BrokerMetrics, UnderReplicatedRisesWhileABrokerIsDownAndClearsAfterItReturns) {
  KLAB_ROADMAP("7.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  KLAB_REQUIRE_BROKER_METRICS();
  // Three partitions of RF 3: every node leads one and follows the others.
  auto topic = create_topic(3);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "b", "c"});
  ASSERT_TRUE(await_until(
      [] { return ClusterScrape::take().sum("kafka_server_under_replicated_partitions") == 0; },
      scaled(60s)))
      << "the cluster should start fully replicated";

  constexpr int victim = 3;
  cluster().local().kill_node(victim);
  // Once the controller fences the dead broker (broker.session.timeout.ms) the leaders shrink
  // their ISRs and report those partitions as under-replicated.
  auto survivors_under_replicated = [&](ClusterScrape& out) {
    out.brokers.clear();
    for (int node = 1; node <= kNodes; ++node)
      if (node != victim)
        out.brokers.push_back(
            klab::cluster::scrape_metrics(cluster().metrics_urls()[node - 1], scaled(10s)));
    return out.sum("kafka_server_under_replicated_partitions");
  };
  ClusterScrape survivors;
  bool rose = await_until([&] { return survivors_under_replicated(survivors) > 0; }, scaled(90s));
  double offline = survivors.sum("kafka_controller_offline_partitions");
  std::cout << "node " << victim << " killed: survivors report under_replicated "
            << survivors.sum("kafka_server_under_replicated_partitions") << ", offline " << offline
            << '\n';
  cluster().local().start_node(victim);  // before asserting: later tests need all three
  ASSERT_TRUE(rose) << "no survivor reported an under-replicated partition";
  EXPECT_EQ(offline, 0) << "with RF 3 two replicas remain: every partition keeps a leader";

  // start_node() may return while metadata still lists the old broker; the new JVM's exporter
  // answers a moment later, so an unreachable exporter here means "not yet".
  EXPECT_TRUE(await_until(
      [] {
        try {
          return ClusterScrape::take().sum("kafka_server_under_replicated_partitions") == 0;
        } catch (const klab::cluster::ClusterError&) {
          return false;
        }
      },
      scaled(120s)))
      << "the restarted broker caught up and rejoined every ISR";
}

}  // namespace
