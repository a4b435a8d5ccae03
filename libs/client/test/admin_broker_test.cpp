// Admin calls (configs, partitions, group offsets, watermarks) and producer transactions on a
// real single-node cluster: what the broker accepts, what it refuses, and with which error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::Admin;
using klab::client::Config;
using klab::client::ConfigEntry;
using klab::client::Consumer;
using klab::client::IsolationLevel;
using klab::client::Producer;
using klab::client::ProducerRecord;
using klab::client::TopicPartition;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;
using testing::HasSubstr;

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

std::string new_topic(const std::string& purpose, int partitions = 1,
                      std::map<std::string, std::string> configs = {}) {
  auto topic = unique_name(purpose);
  // Not Admin::create_topic alone: CreateTopics returns once the controller committed the topic,
  // and the broker may answer the next request before it applied that record
  // (UNKNOWN_TOPIC_OR_PART). This waits until the broker's metadata shows every partition with a
  // leader.
  klab::testing::create_topic(topic, partitions, 1, configs);
  return topic;
}

const ConfigEntry& entry(const std::vector<ConfigEntry>& entries, const std::string& name) {
  auto it =
      std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.name == name; });
  if (it == entries.end()) throw std::runtime_error("no config " + name);
  return *it;
}

// The error `f` throws as a KafkaException, or a test failure when it throws none.
template <typename F>
klab::Error error_of(F&& f) {
  try {
    f();
  } catch (const KafkaException& e) {
    return e.error();
  }
  ADD_FAILURE() << "expected a KafkaException";
  return {};
}

std::size_t partition_count(Admin& admin, const std::string& topic) {
  return admin.describe_topics({topic}, scaled(10s)).at(0).partitions.size();
}

Config transactional_config(const std::string& id) {
  auto c = cluster().client_config();
  c.transactional_id(id);
  return c;
}

Config reader_config(const std::string& group, IsolationLevel level) {
  auto c = klab::testing::consumer_config(cluster().client_config(), group);
  c.isolation_level(level);
  return c;
}

ProducerRecord record_to(const std::string& topic, const std::string& value) {
  ProducerRecord r;
  r.topic = topic;
  r.value = value;
  return r;
}

std::vector<std::string> values_of(const std::vector<klab::client::Record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.emplace_back(r.value().value_or(""));
  return out;
}

// Reads `topic` from the start with `level` until `expected` records arrived, then for a
// moment longer so records that should stay invisible get their chance to show up.
std::vector<std::string> read_all(const std::string& topic, IsolationLevel level,
                                  std::size_t expected) {
  Consumer c(reader_config(unique_name("reader"), level));
  c.subscribe({topic});
  auto records = klab::testing::consume_n(c, expected, 30s);
  auto values = values_of(records);
  for (const auto& v : values_of(klab::testing::consume_n(c, 1, 2s))) values.push_back(v);
  c.close();
  return values;
}

// ---------------------------------------------------------------------------------------------
// Configs and partitions

TEST(AdminOnBroker, DescribeTopicConfigShowsOverridesAndDefaults) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("configs", 1, {{"retention.ms", "3600000"}});

  auto configs = admin.describe_topic_config(topic, scaled(10s));
  ASSERT_FALSE(configs.empty());
  EXPECT_TRUE(std::is_sorted(configs.begin(), configs.end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));

  const auto& retention = entry(configs, "retention.ms");
  EXPECT_EQ(retention.value, "3600000");
  EXPECT_EQ(retention.source, "DYNAMIC_TOPIC_CONFIG") << "set at creation: a topic override";
  EXPECT_FALSE(retention.is_default);

  const auto& cleanup = entry(configs, "cleanup.policy");
  EXPECT_EQ(cleanup.value, "delete");
  EXPECT_EQ(cleanup.source, "DEFAULT_CONFIG");
  EXPECT_TRUE(cleanup.is_default);
}

TEST(AdminOnBroker, DescribeTopicConfigOfAMissingTopicFails) {
  Admin admin(cluster().client_config());
  auto err = error_of([&] { admin.describe_topic_config(unique_name("missing"), scaled(10s)); });
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) << err;
}

TEST(AdminOnBroker, DescribeBrokerConfigShowsTheServerProperties) {
  KLAB_REQUIRE_LOCAL_CLUSTER();  // the values below are the lab's node.properties
  Admin admin(cluster().client_config());
  auto broker = admin.describe_cluster(scaled(10s)).brokers.at(0).id;
  auto configs = admin.describe_broker_config(broker, scaled(10s));

  const auto& delay = entry(configs, "group.initial.rebalance.delay.ms");
  EXPECT_EQ(delay.value, "0");
  EXPECT_EQ(delay.source, "STATIC_BROKER_CONFIG") << "from the node's properties file";
  EXPECT_FALSE(delay.is_default);

  const auto& segment = entry(configs, "log.segment.bytes");
  EXPECT_EQ(segment.source, "DEFAULT_CONFIG");
  EXPECT_TRUE(segment.is_default);
}

TEST(AdminOnBroker, CreatePartitionsGrowsTheTopic) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("grow", 1);
  admin.create_partitions(topic, 3, scaled(30s));
  EXPECT_TRUE(await_until([&] { return partition_count(admin, topic) == 3; }, scaled(10s)))
      << "metadata still shows " << partition_count(admin, topic) << " partition(s)";
}

TEST(AdminOnBroker, CreatePartitionsRefusesToShrink) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("shrink", 3);
  auto fewer = error_of([&] { admin.create_partitions(topic, 2, scaled(30s)); });
  EXPECT_EQ(fewer, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS) << fewer;
  EXPECT_THAT(fewer.message(), HasSubstr("3")) << "the broker names the current count";
  auto same = error_of([&] { admin.create_partitions(topic, 3, scaled(30s)); });
  EXPECT_EQ(same, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS) << same;
  EXPECT_EQ(partition_count(admin, topic), 3u);
}

// ---------------------------------------------------------------------------------------------
// Group offsets

TEST(AdminOnBroker, AlterGroupOffsetsMovesAnEmptyGroup) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("replay");
  auto group = unique_name("group");
  klab::testing::produce_values(base, topic, numbered("r", 10));
  {
    Consumer c(klab::testing::consumer_config(base, group));
    c.subscribe({topic});
    auto first = klab::testing::consume_n(c, 4, 30s);
    ASSERT_EQ(first.size(), 4u);
    c.commit_sync(first.back());  // committed: 4
    c.close();                    // the group is empty now
  }

  admin.alter_group_offsets(group, {{topic, 0, 8}}, scaled(10s));
  auto committed = admin.committed_offsets(group, {{topic, 0}}, scaled(10s));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, 8);

  Consumer again(klab::testing::consumer_config(base, group));
  again.subscribe({topic});
  auto rest = klab::testing::consume_n(again, 2, 30s);
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest.front().offset(), 8) << "the group resumed where the admin put it";
  again.close();
}

TEST(AdminOnBroker, AlterGroupOffsetsCreatesAGroupThatDoesNotExistYet) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("fresh");
  auto group = unique_name("new-group");
  klab::testing::produce_values(base, topic, numbered("r", 5));
  admin.alter_group_offsets(group, {{topic, 0, 3}}, scaled(10s));

  Consumer c(klab::testing::consumer_config(base, group));  // would start at 0 otherwise
  c.subscribe({topic});
  auto got = klab::testing::consume_n(c, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset(), 3);
  c.close();
}

TEST(AdminOnBroker, AlterGroupOffsetsIsRefusedWhileMembersAreActive) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("busy");
  auto group = unique_name("group");
  klab::testing::produce_values(base, topic, numbered("r", 3));
  Consumer c(klab::testing::consumer_config(base, group));
  c.subscribe({topic});
  ASSERT_EQ(klab::testing::consume_n(c, 1, 30s).size(), 1u) << "the member never got going";

  auto err = error_of([&] { admin.alter_group_offsets(group, {{topic, 0, 0}}, scaled(10s)); });
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID) << err;
  EXPECT_THAT(err.message(), HasSubstr(topic + "/0")) << "the failing partition is named";
  c.close();
}

TEST(AdminOnBroker, DeleteGroupRemovesAnEmptyGroupButNotAnActiveOne) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("groups");
  auto group = unique_name("group");
  klab::testing::produce_values(base, topic, numbered("r", 3));
  Consumer c(klab::testing::consumer_config(base, group));
  c.subscribe({topic});
  auto got = klab::testing::consume_n(c, 1, 30s);
  ASSERT_EQ(got.size(), 1u);
  c.commit_sync(got.back());

  auto busy = error_of([&] { admin.delete_group(group, scaled(10s)); });
  EXPECT_EQ(busy, RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP) << busy;

  c.close();
  admin.delete_group(group, scaled(10s));
  EXPECT_EQ(admin.describe_group(group, scaled(10s)).state, "Dead");
  auto again = error_of([&] { admin.delete_group(group, scaled(10s)); });
  EXPECT_EQ(again, RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) << again;
}

// ---------------------------------------------------------------------------------------------
// Watermarks and transactions

TEST(AdminOnBroker, WatermarkHighIsTheLogEndEvenWithAnOpenTransaction) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("open-txn");
  klab::testing::produce_values(base, topic, numbered("plain-", 3));

  Producer txn(transactional_config(unique_name("txn")));
  ASSERT_FALSE(txn.init_transactions(scaled(30s)));
  ASSERT_FALSE(txn.begin_transaction());
  for (const auto& v : numbered("open-", 2)) ASSERT_FALSE(txn.send(record_to(topic, v)));
  ASSERT_FALSE(txn.flush(scaled(30s))) << "the open transaction's records are in the log";

  auto w = admin.watermark_offsets(topic, 0, scaled(10s));
  EXPECT_EQ(w.high, 5) << "log end: 3 plain + 2 uncommitted records";

  // A read_committed client (librdkafka's default) asking the same gets the last stable
  // offset instead: the first offset of the open transaction.
  Consumer committed_view(reader_config(unique_name("lso"), IsolationLevel::read_committed));
  std::int64_t low = -1, high = -1;
  ASSERT_EQ(rd_kafka_query_watermark_offsets(committed_view.native(), topic.c_str(), 0, &low, &high,
                                             static_cast<int>(scaled(10s).count())),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(high, 3) << "read_committed reports the last stable offset";

  ASSERT_FALSE(txn.abort_transaction(scaled(30s)));
  // The coordinator writes the abort marker after answering EndTxn, so it lands a little later.
  EXPECT_TRUE(await_until([&] { return admin.watermark_offsets(topic, 0, scaled(10s)).high == 6; },
                          scaled(10s)))
      << "the abort marker takes an offset too";
}

TEST(TransactionsOnBroker, CommittedTransactionIsVisibleToReadCommitted) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("committed");
  Producer p(transactional_config(unique_name("txn")));
  ASSERT_FALSE(p.init_transactions(scaled(30s)));
  ASSERT_FALSE(p.begin_transaction());
  for (const auto& v : numbered("c", 3)) ASSERT_FALSE(p.send(record_to(topic, v)));
  auto err = p.commit_transaction(scaled(30s));
  ASSERT_FALSE(err) << err;

  EXPECT_THAT(read_all(topic, IsolationLevel::read_committed, 3),
              testing::ElementsAre("c0", "c1", "c2"));
  // 3 records + the commit marker, which no consumer ever sees.
  EXPECT_EQ(admin.watermark_offsets(topic, 0, scaled(10s)).high, 4);
}

TEST(TransactionsOnBroker, AbortedTransactionIsInvisibleToReadCommitted) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("aborted");
  Producer p(transactional_config(unique_name("txn")));
  ASSERT_FALSE(p.init_transactions(scaled(30s)));

  ASSERT_FALSE(p.begin_transaction());
  for (const auto& v : numbered("aborted-", 3)) ASSERT_FALSE(p.send(record_to(topic, v)));
  ASSERT_FALSE(p.flush(scaled(30s))) << "written to the log before the abort";
  ASSERT_FALSE(p.abort_transaction(scaled(30s)));

  ASSERT_FALSE(p.begin_transaction());
  for (const auto& v : numbered("kept-", 2)) ASSERT_FALSE(p.send(record_to(topic, v)));
  ASSERT_FALSE(p.commit_transaction(scaled(30s)));

  EXPECT_THAT(read_all(topic, IsolationLevel::read_committed, 2),
              testing::ElementsAre("kept-0", "kept-1"));
  EXPECT_THAT(read_all(topic, IsolationLevel::read_uncommitted, 5),
              testing::ElementsAre("aborted-0", "aborted-1", "aborted-2", "kept-0", "kept-1"))
      << "read_uncommitted sees aborted records too";
}

TEST(TransactionsOnBroker, SendOffsetsToTransactionCommitsTheConsumersOffsetsAtomically) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto input = new_topic("input");
  auto output = new_topic("output");
  auto group = unique_name("processor");
  klab::testing::produce_values(base, input, numbered("in-", 5));

  Consumer consumer(klab::testing::consumer_config(base, group));
  consumer.subscribe({input});
  auto batch = klab::testing::consume_n(consumer, 5, 30s);
  ASSERT_EQ(batch.size(), 5u);
  std::vector<TopicPartition> next{{input, 0, batch.back().offset() + 1}};

  Producer p(transactional_config(unique_name("txn")));
  ASSERT_FALSE(p.init_transactions(scaled(30s)));

  // First attempt aborted: neither the output nor the offsets count.
  ASSERT_FALSE(p.begin_transaction());
  for (const auto& r : batch)
    ASSERT_FALSE(p.send(record_to(output, "out-" + std::string(*r.value()))));
  ASSERT_FALSE(p.send_offsets_to_transaction(next, consumer, scaled(30s)));
  ASSERT_FALSE(p.abort_transaction(scaled(30s)));
  auto committed = admin.committed_offsets(group, {{input, 0}}, scaled(10s));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, klab::client::offset_invalid) << "aborted: nothing committed";

  // Second attempt committed: output and offsets together.
  ASSERT_FALSE(p.begin_transaction());
  for (const auto& r : batch)
    ASSERT_FALSE(p.send(record_to(output, "out-" + std::string(*r.value()))));
  ASSERT_FALSE(p.send_offsets_to_transaction(next, consumer, scaled(30s)));
  auto err = p.commit_transaction(scaled(30s));
  ASSERT_FALSE(err) << err;
  // The offsets become visible once the commit marker reaches __consumer_offsets, which the
  // coordinator writes after answering EndTxn.
  EXPECT_TRUE(await_until(
      [&] {
        committed = admin.committed_offsets(group, {{input, 0}}, scaled(10s));
        return committed.size() == 1 && committed[0].offset == 5;
      },
      scaled(10s)))
      << "committed: " << (committed.empty() ? -1 : committed[0].offset);
  EXPECT_THAT(read_all(output, IsolationLevel::read_committed, 5),
              testing::ElementsAre("out-in-0", "out-in-1", "out-in-2", "out-in-3", "out-in-4"));
  consumer.close();
}

TEST(TransactionsOnBroker, ANewerProducerWithTheSameIdFencesTheOlderOne) {
  Admin admin(cluster().client_config());
  auto topic = new_topic("fenced");
  auto id = unique_name("txn");
  Producer old_one(transactional_config(id));
  ASSERT_FALSE(old_one.init_transactions(scaled(30s)));
  ASSERT_FALSE(old_one.begin_transaction());
  ASSERT_FALSE(old_one.send(record_to(topic, "zombie")));
  ASSERT_FALSE(old_one.flush(scaled(30s)));

  Producer new_one(transactional_config(id));
  ASSERT_FALSE(new_one.init_transactions(scaled(30s))) << "aborts the old one's transaction";

  auto err = old_one.commit_transaction(scaled(30s));
  EXPECT_TRUE(err.fatal()) << err << ": the old producer must be destroyed";
  EXPECT_FALSE(err.txn_requires_abort());
  EXPECT_THAT(read_all(topic, IsolationLevel::read_committed, 0), testing::IsEmpty());
}

TEST(TransactionsOnBroker, TransactionCallsWithoutTransactionalIdAreRefused) {
  Producer p(cluster().client_config());
  auto err = p.init_transactions(scaled(10s));
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR__NOT_CONFIGURED) << err;
  EXPECT_EQ(p.begin_transaction(), RD_KAFKA_RESP_ERR__NOT_CONFIGURED);
}

// ---------------------------------------------------------------------------------------------
// Consumer statistics from a live consumer

TEST(ConsumerStatsOnBroker, ALiveConsumersStatisticsParse) {
  auto base = cluster().client_config();
  Admin admin(base);
  auto topic = new_topic("stats");
  klab::testing::produce_values(base, topic, numbered("s", 5));

  klab::client::ConsumerStatsCollector stats;
  auto config = klab::testing::consumer_config(base, unique_name("group"));
  config.statistics_interval_ms(100);
  std::string last_json;
  std::mutex json_mutex;
  config.statistics_handler([&, sink = stats.handler()](std::string_view json) {
    sink(json);
    std::lock_guard lock(json_mutex);
    last_json = json;
  });
  Consumer c(config);
  c.subscribe({topic});
  auto got = klab::testing::consume_n(c, 5, 30s);
  ASSERT_EQ(got.size(), 5u);
  c.commit_sync(got.back());

  // Statistics are served by the consumer's poll, so keep polling while waiting.
  std::optional<klab::client::ConsumerStats> sample;
  ASSERT_TRUE(await_until(
      [&] {
        c.poll(50ms);
        sample = stats.latest();
        const auto* p = sample ? sample->partition(topic, 0) : nullptr;
        return p && p->committed_offset == 5 && p->app_offset == 5;
      },
      scaled(15s)));
  const auto* p = sample->partition(topic, 0);
  EXPECT_EQ(p->rxmsgs, 5);
  EXPECT_EQ(p->consumer_lag, 0);
  EXPECT_EQ(p->fetch_state, "active");
  EXPECT_GE(sample->rxmsgs, 5);
  EXPECT_GT(sample->fetch_requests(), 0);
  ASSERT_TRUE(sample->cgrp);
  EXPECT_EQ(sample->cgrp->join_state, "steady");
  EXPECT_EQ(sample->cgrp->assignment_size, 1);
  EXPECT_GE(sample->cgrp->rebalance_cnt, 1);
  c.close();

  // KLAB_CAPTURE_CONSUMER_STATS=path saves the last document (the unit tests' fixture).
  if (const char* path = std::getenv("KLAB_CAPTURE_CONSUMER_STATS")) {
    std::lock_guard lock(json_mutex);
    std::ofstream(path) << last_json;
  }
}

}  // namespace
