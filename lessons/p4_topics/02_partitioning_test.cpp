// 4.2 Partition strategies (and 2.2 partitioner customization): which partition a record goes
// to, by key hash, round robin, sticky batches or a rule of your own, checked against the
// Java client's choice and against what the broker stored.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "klab/client/partitioner.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int partitions = 6;

std::string new_topic(const std::string& purpose) {
  auto topic = unique_name(purpose);
  klab::testing::create_topic(topic, partitions, 1);
  return topic;
}

std::vector<std::string> keys(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("customer-" + std::to_string(i * 7 + 3));
  out.push_back("주문-42");  // UTF-8 bytes hash like any others
  return out;
}

// Where Kafka's Java producer (kafka-clients, default partitioner) puts each key: the lesson's
// KeyedProducer.java run in source-file mode prints "<key> <partition>" lines.
std::map<std::string, int> java_partitions_of(const std::string& topic,
                                              const std::vector<std::string>& ks) {
  auto runtime = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover());
  std::vector<std::string> args{cluster().bootstrap(), topic};
  args.insert(args.end(), ks.begin(), ks.end());
  auto run = runtime.run_tool(KLAB_JAVA_KEYED_PRODUCER, args, scaled(120s));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::map<std::string, int> out;
  std::istringstream lines(run.output);
  for (std::string k; lines >> k;) {
    int p = -1;
    if (lines >> p) out[k] = p;
  }
  EXPECT_EQ(out.size(), ks.size()) << run.output;
  return out;
}

// Sends one record per key synchronously and returns the partition each landed on.
std::map<std::string, int> partitions_of(Producer& producer, const std::string& topic,
                                         const std::vector<std::string>& ks) {
  std::map<std::string, int> out;
  for (const auto& k : ks) {
    auto r = producer.send_sync({.topic = topic, .key = k, .value = k}, scaled(30s));
    EXPECT_FALSE(r.error) << r.error.to_string();
    out[k] = r.partition;
  }
  return out;
}

// The partitions of keyless records, in send order. One record first goes to each partition so
// the producer knows every leader: while a partition has no known leader, librdkafka's sticky
// choice is re-drawn for every record, which would measure the warm-up, not the partitioner.
std::vector<int> keyless_partitions(Producer& producer, const std::string& topic, int n) {
  for (int p = 0; p < partitions; ++p) {
    auto r = producer.send_sync({.topic = topic, .partition = p, .value = "warm-up"}, scaled(30s));
    EXPECT_FALSE(r.error) << "warm-up to partition " << p << ": " << r.error.to_string();
  }
  std::vector<int> out(n, -1);
  for (int i = 0; i < n; ++i)
    EXPECT_FALSE(
        producer.send({.topic = topic, .value = "v"},
                      [&out, i](const klab::client::DeliveryReport& r) { out[i] = r.partition; }));
  EXPECT_FALSE(producer.flush(scaled(30s)));
  return out;
}

int runs(const std::vector<int>& seq) {
  int n = 0;
  for (std::size_t i = 0; i < seq.size(); ++i) n += (i == 0 || seq[i] != seq[i - 1]);
  return n;
}

TEST(P4KeyPartitioning, SameKeyAlwaysLandsOnTheSamePartition) {
  KLAB_ROADMAP("4.2.1");
  auto topic = new_topic("keyed");
  Producer producer(cluster().client_config());
  std::map<std::string, std::set<int>> seen;
  for (int round = 0; round < 5; ++round)
    for (auto& [k, p] : partitions_of(producer, topic, keys(12))) seen[k].insert(p);
  std::set<int> used;
  for (const auto& [k, ps] : seen) {
    EXPECT_EQ(ps.size(), 1u) << k << " went to several partitions";
    used.insert(*ps.begin());
  }
  EXPECT_GE(used.size(), 3u) << "13 keys spread over the 6 partitions";
}

TEST(P4KeyPartitioning, KeyHashPartitionerPutsEveryKeyWhereTheJavaProducerDoes) {
  KLAB_ROADMAP("4.2.1 2.2.5");
  if (std::getenv("KLAB_CLIENT_PROPERTIES"))
    KLAB_SKIP("the Java helper does not read librdkafka client properties");
  auto ks = keys(24);
  auto java = java_partitions_of(new_topic("java"), ks);
  ASSERT_EQ(java.size(), ks.size());

  Producer ours(cluster().client_config().partitioner(klab::client::KeyHashPartitioner()));
  auto ours_map = partitions_of(ours, new_topic("cpp"), ks);
  Producer builtin(
      cluster().client_config().set(klab::client::keys::partitioner, "murmur2_random"));
  auto builtin_map = partitions_of(builtin, new_topic("murmur2"), ks);
  // A klab Producer without a partitioner setting uses murmur2_random (the lab's default).
  Producer lab_default(cluster().client_config());
  auto lab_default_map = partitions_of(lab_default, new_topic("lab-default"), ks);
  // librdkafka's own default, which the lab overrides.
  Producer crc32(
      cluster().client_config().set(klab::client::keys::partitioner, "consistent_random"));
  auto default_map = partitions_of(crc32, new_topic("default"), ks);

  int differs = 0;
  for (const auto& k : ks) {
    EXPECT_EQ(ours_map[k], java[k]) << k;
    EXPECT_EQ(builtin_map[k], java[k]) << k << ": librdkafka's murmur2_random";
    EXPECT_EQ(lab_default_map[k], java[k]) << k << ": a klab Producer's default";
    EXPECT_EQ(klab::client::java_key_partition(k, partitions), java[k]) << k;
    differs += default_map[k] != java[k];
  }
  std::cout << differs << " of " << ks.size()
            << " keys land elsewhere with librdkafka's default partitioner (consistent_random)\n";
  EXPECT_GT(differs, 0) << "librdkafka's default hash is CRC32, not the Java client's murmur2";
}

// Where `klab produce --key-separator :` puts each key, read back from the topic.
std::map<std::string, int> cli_partitions_of(const std::string& topic,
                                             const std::vector<std::string>& ks,
                                             const std::vector<std::string>& extra_flags = {}) {
  std::string lines;
  for (const auto& k : ks) lines += k + ':' + k + '\n';
  auto input = std::filesystem::temp_directory_path() / (topic + ".txt");
  std::ofstream(input) << lines;
  std::string cmd = std::string("'") + KLAB_CLI + "' produce '" + topic + "' --key-separator :";
  for (const auto& f : extra_flags) cmd += " " + f;
  auto run =
      klab::cluster::run_command({"sh", "-c", cmd + " < '" + input.string() + "'"}, scaled(60s));
  std::filesystem::remove(input);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  std::map<std::string, int> out;
  for (const auto& r :
       klab::testing::consume_until(cluster().client_config(), topic, ks.size(), scaled(60s)))
    out[std::string(r.key().value_or(""))] = r.partition();
  return out;
}

TEST(P4KeyPartitioning, CliPutsEveryKeyWhereTheJavaProducerDoes) {
  KLAB_ROADMAP("4.2.1");
  if (std::getenv("KLAB_CLIENT_PROPERTIES"))
    KLAB_SKIP("the Java and CLI runs get no client properties file");
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  auto ks = keys(24);
  auto java = java_partitions_of(new_topic("cli-java"), ks);
  ASSERT_EQ(java.size(), ks.size());

  auto cli = cli_partitions_of(new_topic("cli-default"), ks);
  ASSERT_EQ(cli.size(), ks.size());
  for (const auto& k : ks) EXPECT_EQ(cli[k], java[k]) << k << ": `klab produce` by default";

  // The same CLI with librdkafka's own default: the check above would catch that choice.
  auto crc32 = cli_partitions_of(new_topic("cli-crc32"), ks, {"--partitioner consistent_random"});
  int differs = 0;
  for (const auto& k : ks) differs += crc32[k] != java[k];
  std::cout << "klab produce: " << ks.size() << "/" << ks.size() << " keys where Java puts them; "
            << differs << " elsewhere with --partitioner consistent_random\n";
  EXPECT_GT(differs, 0) << "--partitioner consistent_random hashes with CRC32, not murmur2";
}

TEST(P4RoundRobin, RoundRobinPartitionerSpreadsKeylessRecordsExactlyEvenly) {
  KLAB_ROADMAP("4.2.2");
  auto topic = new_topic("rr");
  Producer producer(cluster().client_config().partitioner(klab::client::RoundRobinPartitioner()));
  auto seq = keyless_partitions(producer, topic, 600);
  std::map<int, int> count;
  for (int p : seq) ++count[p];
  ASSERT_EQ(count.size(), static_cast<std::size_t>(partitions));
  for (auto [p, n] : count) EXPECT_EQ(n, 100) << "partition " << p;
  for (std::size_t i = 1; i < seq.size(); ++i)
    ASSERT_EQ(seq[i], (seq[i - 1] + 1) % partitions) << "each record takes the next partition";
}

TEST(P4RoundRobin, StickyPartitionerFillsOnePartitionAtATime) {
  KLAB_ROADMAP("4.2.2");
  auto topic = new_topic("sticky");
  Producer producer(cluster().client_config().partitioner(klab::client::StickyPartitioner(100)));
  auto seq = keyless_partitions(producer, topic, 600);
  EXPECT_EQ(runs(seq), 6) << "runs of 100 records, each on one partition";
  std::map<int, int> count;
  for (int p : seq) ++count[p];
  EXPECT_EQ(count.size(), static_cast<std::size_t>(partitions)) << "and every partition used";

  // librdkafka's own keyless behaviour is sticky too: it keeps a partition for
  // sticky.partitioning.linger.ms (10 ms) before picking another at random.
  Producer builtin(cluster().client_config());
  auto builtin_seq = keyless_partitions(builtin, new_topic("builtin"), 600);
  std::cout << "round robin: 600 runs; StickyPartitioner(100): " << runs(seq)
            << " runs; librdkafka default: " << runs(builtin_seq) << " runs\n";
  EXPECT_LT(runs(builtin_seq), 60) << "long runs, not one partition per record";
}

TEST(P4CustomPartitioner, RoutesVipCustomersToTheirOwnPartition) {
  KLAB_ROADMAP("4.2.3 2.2.5");
  auto topic = new_topic("vip");
  // Partition 0 is reserved for VIP keys; every other key hashes over partitions 1..5.
  auto vip_first = [](const klab::client::PartitionerInput& in) -> std::int32_t {
    if (in.key && in.key->starts_with("vip-")) return 0;
    return 1 + klab::client::java_key_partition(in.key.value_or(""), in.partition_count - 1);
  };
  Producer producer(cluster().client_config().partitioner(vip_first));
  std::vector<std::string> vips, regular;
  for (int i = 0; i < 20; ++i) vips.push_back("vip-" + std::to_string(i));
  for (int i = 0; i < 60; ++i) regular.push_back("user-" + std::to_string(i));
  for (auto& [k, p] : partitions_of(producer, topic, vips)) EXPECT_EQ(p, 0) << k;
  std::set<int> used;
  for (auto& [k, p] : partitions_of(producer, topic, regular)) {
    EXPECT_NE(p, 0) << k << " is not a VIP";
    used.insert(p);
  }
  EXPECT_EQ(used.size(), static_cast<std::size_t>(partitions - 1));
}

TEST(P4CustomPartitioner, OutOfRangeChoiceFailsTheSendInsteadOfMisrouting) {
  KLAB_ROADMAP("4.2.3");
  auto topic = new_topic("broken");
  Producer warm(cluster().client_config());
  ASSERT_FALSE(warm.send_sync({.topic = topic, .value = "v"}, scaled(30s)).error);
  Producer producer(cluster().client_config().partitioner(
      [](const klab::client::PartitionerInput& in) { return in.partition_count; }));
  // The first send may wait for metadata; either way the record must not be delivered.
  auto report = producer.send_sync({.topic = topic, .key = "k", .value = "v"}, scaled(30s));
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) << report.error.to_string();
}

TEST(P4PartitionOrder, RecordsOfEachKeyAreReadInTheOrderTheyWereSent) {
  KLAB_ROADMAP("4.2.4");
  auto topic = new_topic("order");
  klab::testing::DeliveryLedger ledger(topic);
  Producer producer(cluster().client_config().enable_idempotence(true).linger_ms(5));
  for (int i = 0; i < 2000; ++i)
    ASSERT_FALSE(ledger.send(producer, "key-" + std::to_string(i % 10)));
  ASSERT_FALSE(producer.flush(scaled(60s)));
  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << report << '\n';
  EXPECT_EQ(report.consumed_unique, 2000u);
  EXPECT_EQ(report.order_violations, 0u) << "one key, one partition, one order";
}

}  // namespace
