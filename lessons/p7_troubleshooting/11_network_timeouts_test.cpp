// 7.3.4 Network timeouts: what clients see when the path to one broker breaks, and what the
// cluster does about it. A real TCP proxy (Toxiproxy) sits between the producer and every
// broker; latency or a black hole before one broker leaves the brokers' own links alone, so
// the cluster sees nothing wrong. A frozen broker (SIGSTOP) is the opposite case: the
// controller fences it and moves its partitions. RF 3, acks=all, min.insync.replicas=2
// throughout: whatever the producer was told was written, is read back.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Config;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::LedgerReport;
using klab::testing::unique_name;
namespace keys = klab::client::keys;

constexpr int records_per_partition = 50;

class P7NetworkTimeouts : public klab::testing::ChaosTest<3> {
 protected:
  void TearDown() override {
    if (!cluster().external())
      for (int id = 1; id <= 3; ++id) cluster().fault_proxy().heal(id);
    ChaosTest::TearDown();
  }

  // Three partitions, RF 3: returns the topic and fills leaders_ (partition -> broker).
  std::string topic() {
    auto t = unique_name("net");
    klab::testing::create_topic(t, 3, 3, {{"min.insync.replicas", "2"}});
    for (int p = 0; p < 3; ++p) leaders_[p] = klab::testing::partition_info(t, p).leader;
    return t;
  }

  // Producer through the proxy; `socket_timeout_ms` is librdkafka's client-side request
  // timeout (the Java client calls it request.timeout.ms).
  static Config proxied(int socket_timeout_ms, int delivery_timeout_ms) {
    auto c = cluster().proxied_client_config();
    c.acks("all").linger_ms(5).delivery_timeout_ms(delivery_timeout_ms);
    c.set(keys::enable_idempotence, "false")
        .set(keys::socket_timeout_ms, std::to_string(socket_timeout_ms));
    return c;
  }

  // One connected record per partition, then `records_per_partition` more to each partition,
  // tracked by `to_broken` when the partition's leader is `broken`, else by `to_others`.
  void send_everywhere(Producer& producer, int broken, DeliveryLedger& to_broken,
                       DeliveryLedger& to_others) {
    for (int i = 0; i < records_per_partition; ++i)
      for (int p = 0; p < 3; ++p) {
        auto& ledger = leaders_[p] == broken ? to_broken : to_others;
        auto record = ledger.next("k" + std::to_string(p));
        record.partition = p;
        ASSERT_FALSE(producer.send(record, ledger.track(record)));
      }
  }

  void warm_up(Producer& producer, const std::string& topic) {
    for (int p = 0; p < 3; ++p)
      ASSERT_FALSE(
          producer.send_sync({.topic = topic, .partition = p, .value = "warm-up"}, scaled(30s))
              .error);
  }

  int partitions_led_by(int broker) const {
    int n = 0;
    for (const auto& [p, leader] : leaders_) n += leader == broker;
    return n;
  }

  std::map<int, int> leaders_;
};

TEST_F(P7NetworkTimeouts, ABlackHoleBeforeOneBrokerTimesOutItsPartitionsAndMovesNoLeader) {
  KLAB_ROADMAP("7.3.4");
  auto t = topic();
  int broken = leaders_[0];
  DeliveryLedger to_broken(t), to_others(t);
  Producer producer(proxied(2'000, 8'000));
  warm_up(producer, t);

  cluster().fault_proxy().black_hole(broken);
  send_everywhere(producer, broken, to_broken, to_others);
  ASSERT_FALSE(producer.flush(scaled(60s))) << "every record gets a report";
  auto broken_outcome = to_broken.outcomes();
  auto errors = to_broken.errors();

  // The brokers still reach each other and the controllers: nobody fences the broker.
  for (int p = 0; p < 3; ++p)
    EXPECT_EQ(klab::testing::partition_info(t, p).leader, leaders_[p]) << "partition " << p;
  cluster().fault_proxy().heal(broken);

  auto expected_broken =
      static_cast<std::size_t>(partitions_led_by(broken) * records_per_partition);
  EXPECT_EQ(broken_outcome.acknowledged, 0u);
  EXPECT_EQ(errors[RD_KAFKA_RESP_ERR__MSG_TIMED_OUT], expected_broken);
  auto direct = cluster().client_config();
  auto broken_report = to_broken.reconcile(direct, scaled(30s));
  auto others_report = to_others.reconcile(direct, scaled(30s));
  std::cout << "black hole before broker " << broken << ", records to its partitions:\n"
            << broken_report << "\nrecords to the other partitions:\n"
            << others_report << '\n';
  EXPECT_EQ(broken_report.consumed_unique, 0u) << "dropped before the broker: none written";
  EXPECT_EQ(others_report.acknowledged, others_report.attempted)
      << "the other brokers' partitions were not slowed";
  EXPECT_EQ(others_report.lost, 0u);
}

TEST_F(P7NetworkTimeouts, LatencyAboveTheRequestTimeoutFailsRecordsTheBrokerStillWrites) {
  KLAB_ROADMAP("7.3.4");
  auto t = topic();
  int slow = leaders_[0];
  // 1.5 s each way: a round trip to that broker takes at least 3 s.
  DeliveryLedger short_to_slow(t), short_to_others(t);
  {
    Producer producer(proxied(2'000, 8'000));
    warm_up(producer, t);
    cluster().fault_proxy().add_latency(slow, 1500ms);
    send_everywhere(producer, slow, short_to_slow, short_to_others);
    ASSERT_FALSE(producer.flush(scaled(60s)));
  }
  DeliveryLedger long_to_slow(t), long_to_others(t);
  {
    Producer producer(proxied(10'000, 60'000));
    send_everywhere(producer, slow, long_to_slow, long_to_others);
    ASSERT_FALSE(producer.flush(scaled(90s)));
  }
  cluster().fault_proxy().heal(slow);

  auto direct = cluster().client_config();
  auto short_report = short_to_slow.reconcile(direct, scaled(30s));
  auto long_report = long_to_slow.reconcile(direct, scaled(30s));
  std::cout << "socket.timeout.ms=2000 against a 3 s round trip:\n"
            << short_report << "\nsocket.timeout.ms=10000, same latency:\n"
            << long_report << '\n';
  EXPECT_EQ(short_report.acknowledged, 0u) << "no answer ever came within 2 s";
  EXPECT_GT(short_report.consumed_unique, 0u)
      << "the requests reached the broker after 1.5 s and were written: reported as failed, "
         "stored anyway";
  EXPECT_EQ(long_report.acknowledged, long_report.attempted) << "a timeout above the round trip";
  EXPECT_EQ(long_report.lost, 0u);
  EXPECT_EQ(long_report.duplicates, 0u);
  EXPECT_EQ(short_to_others.outcomes().acknowledged, short_to_others.outcomes().attempted);
}

TEST_F(P7NetworkTimeouts, AFrozenBrokerIsFencedAndItsPartitionsMoveSoNothingIsLost) {
  KLAB_ROADMAP("7.3.4");
  auto t = topic();
  int frozen = leaders_[0];
  DeliveryLedger ledger(t);
  auto config = cluster().client_config();
  config.acks("all").linger_ms(5).delivery_timeout_ms(120'000);
  // librdkafka gives up on a request in flight to the frozen leader only after
  // socket.timeout.ms (60 s by default) and then retries it to the new leader.
  config.set(keys::enable_idempotence, "true").set(keys::socket_timeout_ms, "5000");
  Producer producer(config);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(ledger.send(producer, "k" + std::to_string(i % 3)));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  cluster().local().pause_node(frozen);
  for (int i = 0; i < 150; ++i) ASSERT_FALSE(ledger.send(producer, "k" + std::to_string(i % 3)));
  // broker.session.timeout.ms (9 s) after its last heartbeat the controller fences it, and the
  // partitions it led get leaders among the other ISR members.
  int new_leader = klab::testing::await_leader(
      t, 0, [&](int leader) { return leader >= 0 && leader != frozen; }, scaled(60s));
  ASSERT_FALSE(producer.flush(scaled(120s)));

  // Read while it is still frozen: the two others hold everything acknowledged. (Resumed, it
  // would answer as partition 0's leader with its old log until the controller's news reaches
  // it; TearDown resumes it.)
  auto report = ledger.reconcile(cluster().client_config(), scaled(60s));
  std::cout << "broker " << frozen << " frozen, partition 0 moved to " << new_leader << ":\n"
            << report << '\n';
  EXPECT_NE(new_leader, frozen);
  EXPECT_EQ(report.acknowledged, report.attempted) << "the producer waited for the new leaders";
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u) << "idempotence covers the retries";
}

}  // namespace
