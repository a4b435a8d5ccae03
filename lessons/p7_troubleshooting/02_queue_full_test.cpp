// 7.3.3 Out of memory on the client: a producer buffers every record until the broker
// acknowledges it. queue.buffering.max.messages and queue.buffering.max.kbytes cap that buffer;
// when a leader stops answering, send() starts returning _QUEUE_FULL instead of growing the
// process until the kernel kills it. What the application then does is its back-pressure.
#include <gtest/gtest.h>

#include <iostream>
#include <thread>

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
using klab::testing::unique_name;
namespace keys = klab::client::keys;

class P7QueueFull : public klab::testing::ChaosTest<1> {
 protected:
  // A connected producer whose only leader is then frozen: nothing it sends is acknowledged.
  void freeze_leader_of(const std::string& topic, Producer& producer, DeliveryLedger& ledger) {
    ASSERT_FALSE(ledger.send(producer, "k"));
    ASSERT_FALSE(producer.flush(scaled(30s)));
    leader_ = klab::testing::partition_info(topic, 0).leader;
    cluster().local().pause_node(leader_);
  }
  std::string topic() {
    auto t = unique_name("queue");
    klab::testing::create_topic(t, 1, 1);
    return t;
  }
  Config config() {
    auto c = cluster().client_config();
    c.acks("all").linger_ms(5).delivery_timeout_ms(120'000);
    return c;
  }
  int leader_ = -1;
};

// Sends until the first _QUEUE_FULL; returns how many were accepted before it.
int accepted_until_queue_full(Producer& producer, DeliveryLedger& ledger, std::size_t value_size,
                              int limit) {
  for (int accepted = 0; accepted < limit; ++accepted) {
    auto err = ledger.send(producer, "k", value_size);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return accepted;
    if (err) {
      ADD_FAILURE() << "send: " << err.to_string();
      return accepted;
    }
  }
  return limit;
}

TEST_F(P7QueueFull, QueueBufferingMaxMessagesCapsWhatWaitsForAFrozenLeader) {
  KLAB_ROADMAP("7.3.3");
  auto t = topic();
  DeliveryLedger ledger(t);
  Producer producer(config().set(keys::queue_buffering_max_messages, "500"));
  freeze_leader_of(t, producer, ledger);

  int accepted = accepted_until_queue_full(producer, ledger, 100, 10'000);
  EXPECT_EQ(accepted, 500) << "in flight or queued, every unacknowledged record counts";

  cluster().local().resume_node(leader_);
  ASSERT_FALSE(producer.flush(scaled(60s)));
  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "queue.buffering.max.messages=500, leader frozen, then resumed:\n" << report << '\n';
  EXPECT_EQ(report.acknowledged, 501u) << "the warm-up record and the 500 queued ones";
  EXPECT_EQ(report.failed, 1u) << "the record refused with _QUEUE_FULL was never sent";
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.phantoms, 0u);
}

TEST_F(P7QueueFull, QueueBufferingMaxKbytesCapsTheQueueByBytes) {
  KLAB_ROADMAP("7.3.3");
  auto t = topic();
  DeliveryLedger ledger(t);
  Producer producer(config()
                        .set(keys::queue_buffering_max_messages, "100000")
                        .set(keys::queue_buffering_max_kbytes, "64"));
  freeze_leader_of(t, producer, ledger);

  // 1,000-byte values (plus the 1-byte key) against 64 KiB: the byte cap comes long before the
  // message cap.
  int accepted = accepted_until_queue_full(producer, ledger, 1000, 10'000);
  std::cout << "queue.buffering.max.kbytes=64, 1001-byte records: " << accepted
            << " accepted before _QUEUE_FULL\n";
  EXPECT_EQ(accepted, 65536 / 1001);
  cluster().local().resume_node(leader_);
  ASSERT_FALSE(producer.flush(scaled(60s)));
}

TEST_F(P7QueueFull, WaitingAndResendingOnQueueFullLosesAndDuplicatesNothing) {
  KLAB_ROADMAP("7.3.3");
  auto t = topic();
  DeliveryLedger ledger(t);
  Producer producer(config().set(keys::queue_buffering_max_messages, "200"));
  freeze_leader_of(t, producer, ledger);

  // The application's back-pressure: on _QUEUE_FULL it waits a moment and sends the same
  // record again, so it slows down to what the cluster takes instead of dropping records.
  constexpr std::uint64_t total = 1000;
  std::atomic<int> queue_full{0};
  std::thread sender([&] {
    for (std::uint64_t seq = 1; seq <= total; ++seq) {
      auto err = ledger.send(producer, "k");
      while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        ++queue_full;
        std::this_thread::sleep_for(5ms);  // the application's pace, not a wait for a result
        err = ledger.resend(producer, seq);
      }
      if (err) ADD_FAILURE() << "send " << seq << ": " << err.to_string();
    }
  });
  bool blocked = klab::cluster::await_until([&] { return queue_full > 0; }, scaled(30s));
  cluster().local().resume_node(leader_);
  sender.join();
  ASSERT_TRUE(blocked) << "the frozen leader should have filled the 200-record queue";
  ASSERT_FALSE(producer.flush(scaled(60s)));

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "back-pressure over a 200-record queue, " << queue_full
            << " _QUEUE_FULL answers waited out:\n"
            << report << '\n';
  EXPECT_EQ(report.acknowledged, total + 1);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.duplicates, 0u) << "a refused record was never sent, so resending is safe";
  EXPECT_EQ(report.order_violations, 0u);
}

}  // namespace
