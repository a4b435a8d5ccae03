// TransactionalListenerContainer on a real broker: outputs and offsets commit together, a
// failing listener aborts and redelivers the batch, exhausted retries go to the recoverer
// inside a transaction, a fenced producer ends its thread, stop() commits the work in hand.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/transaction/transactional_listener_container.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::IsolationLevel;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::FixedBackOff;
using klab::framework::TransactionalContainerProperties;
using klab::framework::TransactionalContext;
using klab::framework::TransactionalListenerContainer;
using klab::testing::cluster;
using klab::testing::unique_name;

struct Topics {
  std::string in = unique_name("in"), out = unique_name("out"), group = unique_name("g"),
              prefix = unique_name("tx");
  Topics() {
    klab::testing::create_topic(in, 1, 1);
    klab::testing::create_topic(out, 1, 1);
  }
};

void produce(const std::string& topic, int n, const std::string& prefix = "v") {
  std::vector<std::string> values;
  for (int i = 0; i < n; ++i) values.push_back(prefix + std::to_string(i));
  klab::testing::produce_values(cluster().client_config(), topic, values, 0);
}

// Values of `topic` as a reader with `level` sees them, once `count` arrived (or the timeout).
std::vector<std::string> read(const std::string& topic, std::size_t count, IsolationLevel level) {
  auto config = klab::testing::consumer_config(cluster().client_config(), unique_name("reader"));
  config.isolation_level(level);
  klab::client::Consumer consumer(config);
  consumer.subscribe({topic});
  std::vector<std::string> out;
  for (auto& r : klab::testing::consume_n(consumer, count, 30s))
    out.emplace_back(r.value().value_or(""));
  return out;
}

// The listener most tests use: copy the input to `out`.
void forward(const TransactionalContext& c, const std::string& out) {
  klab::client::ProducerRecord record{.topic = out};
  if (auto v = c.record.value()) record.value = std::string(*v);
  if (auto error = c.producer.send(std::move(record))) throw klab::KafkaException(error);
}

// The group's committed offset of partition 0, asked by a consumer that never joins it; -1
// while the coordinator is not ready (NOT_COORDINATOR right after start): callers await it.
std::int64_t committed_offset(const std::string& group, const std::string& topic) {
  auto config = cluster().client_config();
  config.group_id(group);
  klab::client::Consumer reader(config);
  try {
    auto offsets = reader.committed({{topic, 0, klab::client::offset_invalid, {}}}, scaled(10s));
    return offsets.empty() ? -1 : offsets.at(0).offset;
  } catch (const klab::KafkaException& e) {
    if (!e.error().retriable()) throw;
    return -1;
  }
}

Config consumer_base() {
  auto c = cluster().client_config();
  c.auto_offset_reset(klab::client::OffsetReset::earliest);
  return c;
}

TEST(TransactionalContainerOnBroker, OutputsAndOffsetsCommitTogether) {
  Topics t;
  produce(t.in, 10);
  TransactionalListenerContainer container(
      consumer_base(), cluster().client_config(),
      {.topics = {t.in}, .group_id = t.group, .transactional_id_prefix = t.prefix},
      [&](const TransactionalContext& c) { forward(c, t.out); });
  container.start();
  EXPECT_TRUE(await_until([&] { return committed_offset(t.group, t.in) == 10; }, scaled(60s)));
  container.stop();
  EXPECT_EQ(read(t.out, 10, IsolationLevel::read_committed).size(), 10u);
  EXPECT_GE(container.committed_transactions(), 1u);
  EXPECT_EQ(container.aborted_transactions(), 0u);
  EXPECT_TRUE(container.fatal_errors().empty());
}

TEST(TransactionalContainerOnBroker, ListenerFailureAbortsAndRedeliversTheBatchOnce) {
  Topics t;
  produce(t.in, 5);
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::map<std::int64_t, int> deliveries;
  TransactionalListenerContainer container(consumer_base(), cluster().client_config(),
                                           {.topics = {t.in},
                                            .group_id = t.group,
                                            .transactional_id_prefix = t.prefix,
                                            .back_off = FixedBackOff{50ms, 3}},
                                           [&](const TransactionalContext& c) {
                                             {
                                               std::lock_guard lock(mutex);
                                               ++deliveries[c.record.offset()];
                                             }
                                             forward(c, t.out);
                                             if (c.record.offset() == 4 && failures++ == 0)
                                               throw std::runtime_error("first try fails");
                                           });
  container.start();
  EXPECT_TRUE(await_until([&] { return committed_offset(t.group, t.in) == 5; }, scaled(60s)));
  container.stop();
  EXPECT_EQ(failures.load(), 2);
  EXPECT_GE(container.aborted_transactions(), 1u);
  auto committed = read(t.out, 5, IsolationLevel::read_committed);
  EXPECT_EQ(committed, (std::vector<std::string>{"v0", "v1", "v2", "v3", "v4"}))
      << "the aborted attempt's outputs are invisible";
  std::lock_guard lock(mutex);
  EXPECT_EQ(deliveries[4], 2);
}

TEST(TransactionalContainerOnBroker, ExhaustedRetriesGoToTheRecovererInsideATransaction) {
  Topics t;
  auto dlt = unique_name("dlt");
  klab::testing::create_topic(dlt, 1, 1);
  produce(t.in, 3);  // v1 always fails
  std::atomic<int> poison{0};
  TransactionalListenerContainer container(
      consumer_base(), cluster().client_config(),
      {.topics = {t.in},
       .group_id = t.group,
       .transactional_id_prefix = t.prefix,
       .back_off = FixedBackOff{0ms, 2},
       .recoverer =
           [&](const TransactionalContext& c, std::exception_ptr) {
             klab::client::ProducerRecord r{.topic = dlt, .value = std::string("dead:")};
             r.value->append(c.record.value().value_or(""));
             if (auto error = c.producer.send(std::move(r))) throw klab::KafkaException(error);
           }},
      [&](const TransactionalContext& c) {
        if (c.record.value() == "v1") {
          ++poison;
          throw std::runtime_error("poison");
        }
        forward(c, t.out);
      });
  container.start();
  EXPECT_TRUE(await_until([&] { return committed_offset(t.group, t.in) == 3; }, scaled(60s)));
  container.stop();
  EXPECT_EQ(poison.load(), 3) << "1 delivery + 2 retries";
  EXPECT_EQ(read(t.out, 2, IsolationLevel::read_committed), (std::vector<std::string>{"v0", "v2"}));
  EXPECT_EQ(read(dlt, 1, IsolationLevel::read_committed), (std::vector<std::string>{"dead:v1"}));
}

TEST(TransactionalContainerOnBroker, FencedProducerEndsItsThreadWithAFatalError) {
  Topics t;
  produce(t.in, 1);
  TransactionalListenerContainer container(
      consumer_base(), cluster().client_config(),
      {.topics = {t.in}, .group_id = t.group, .transactional_id_prefix = t.prefix},
      [&](const TransactionalContext& c) { forward(c, t.out); });
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(t.group, t.in) == 1; }, scaled(60s)));
  // A newer producer with thread 0's transactional.id: the container's becomes a zombie.
  auto config = cluster().client_config();
  config.transactional_id(t.prefix + "-0");
  klab::client::Producer successor(config);
  ASSERT_FALSE(successor.init_transactions(scaled(30s)));
  produce(t.in, 1, "after");
  EXPECT_TRUE(await_until([&] { return !container.fatal_errors().empty(); }, scaled(60s)));
  auto errors = container.fatal_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0] == RD_KAFKA_RESP_ERR__FENCED ||
              errors[0] == RD_KAFKA_RESP_ERR_PRODUCER_FENCED)
      << errors[0];
  container.stop();
  EXPECT_EQ(committed_offset(t.group, t.in), 1) << "the fenced batch was not committed";
}

TEST(TransactionalContainerOnBroker, StopCommitsTheTransactionInHand) {
  Topics t;
  produce(t.in, 3);
  std::atomic<bool> in_listener{false};
  std::atomic<bool> release{false};
  TransactionalListenerContainer container(consumer_base(), cluster().client_config(),
                                           {.topics = {t.in},
                                            .group_id = t.group,
                                            .transactional_id_prefix = t.prefix,
                                            .max_poll_records = 1},
                                           [&](const TransactionalContext& c) {
                                             forward(c, t.out);
                                             in_listener = true;
                                             while (!release) std::this_thread::yield();
                                           });
  container.start();
  ASSERT_TRUE(await_until([&] { return in_listener.load(); }, scaled(60s)));
  std::thread stopper([&] { container.stop(); });
  ASSERT_TRUE(await_until([&] { return !container.running(); }, scaled(10s)));
  release = true;
  stopper.join();
  EXPECT_EQ(committed_offset(t.group, t.in), 1) << "the record in hand committed, no more";
  EXPECT_EQ(read(t.out, 1, IsolationLevel::read_committed), (std::vector<std::string>{"v0"}));
}

}  // namespace
