// 2.2 acks: what an acknowledgement promises, shown by freezing and killing brokers mid-stream
// on a 3-node cluster. Every experiment reports the delivery ledger.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
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

Config producer_config(std::string_view acks) {
  auto c = cluster().client_config();
  c.acks(acks).set(klab::client::keys::enable_idempotence, "false").linger_ms(5);
  return c;
}

std::vector<int> followers_of(const klab::client::PartitionInfo& p) {
  std::vector<int> out;
  for (int r : p.replicas)
    if (r != p.leader) out.push_back(r);
  return out;
}

// Waits until the partition's high watermark reaches `n`: the records are on every ISR member.
void await_high_watermark(const std::string& topic, std::int64_t n) {
  klab::client::Admin admin(cluster().client_config());
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        try {
          return admin.watermark_offsets(topic, 0, 5s).high >= n;
        } catch (const klab::KafkaException&) {
          return false;
        }
      },
      scaled(30s)))
      << topic << " never reached high watermark " << n;
}

using P2Acks = klab::testing::ChaosTest<3>;

TEST_F(P2Acks, AcksZeroReportsRecordsAsSentThatALeaderCrashLoses) {
  KLAB_ROADMAP("2.2.1");
  auto topic = unique_name("acks0");
  klab::testing::create_topic(topic, 1, 3);
  auto& local = cluster().local();
  DeliveryLedger ledger(topic);
  // The first 100 with acks=all: a leader that is not ready yet drops acks=0 records silently
  // (it can only close the connection), and these must be in the log.
  {
    Producer safe(producer_config("all"));
    for (int i = 0; i < 100; ++i) ASSERT_FALSE(ledger.send(safe, "k"));
    ASSERT_FALSE(safe.flush(scaled(30s)));
  }
  Producer producer(producer_config("0"));
  ASSERT_FALSE(ledger.send(producer, "k"));  // connects the acks=0 producer to the leader
  ASSERT_FALSE(producer.flush(scaled(10s)));
  await_high_watermark(topic, 101);

  // A frozen leader still has a TCP socket: the kernel buffers what the producer writes, and
  // with acks=0 being written is all "sent" means.
  int leader = klab::testing::partition_info(topic, 0).leader;
  local.pause_node(leader);
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(10s)));
  auto before_crash = ledger.outcomes();
  EXPECT_EQ(before_crash.acknowledged, 301u) << "acks=0 reports success without any broker reply";

  local.kill_node(leader);  // the buffered requests die with the process
  klab::testing::await_leader(
      topic, 0, [&](int b) { return b != leader; }, 60s);
  local.start_node(leader);

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "acks=0, leader frozen then killed:\n" << report << '\n';
  EXPECT_EQ(report.attempted, 301u);
  EXPECT_EQ(report.acknowledged, 301u);
  EXPECT_EQ(report.lost, 200u) << "every record written to the frozen leader's socket is gone";
  EXPECT_EQ(report.consumed_unique, 101u);
  for (auto id : report.lost_ids) EXPECT_GE(id, 101u) << "only records sent after the freeze";
}

TEST_F(P2Acks, AcksOneLosesAcknowledgedRecordsWhenTheLeaderDiesBeforeFollowersCopyThem) {
  KLAB_ROADMAP("2.2.1");
  auto topic = unique_name("acks1");
  // unclean.leader.election.enable: a replica outside the ISR may lead rather than none at all.
  klab::testing::create_topic(
      topic, 1, 3, {{"min.insync.replicas", "1"}, {"unclean.leader.election.enable", "true"}});
  auto& local = cluster().local();
  DeliveryLedger ledger(topic);
  Producer producer(producer_config("1"));

  for (int i = 0; i < 100; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  await_high_watermark(topic, 100);

  // Stop both followers cleanly: each leaves the ISR while a controller quorum still stands.
  // (Freezing them instead is not enough: a fetch response already on its way lands in the
  // frozen follower's socket and is copied the moment it resumes.)
  auto p = klab::testing::partition_info(topic, 0);
  int leader = p.leader;
  auto followers = followers_of(p);
  ASSERT_EQ(followers.size(), 2u);
  local.stop_node(followers[0]);
  klab::testing::await_isr_size(topic, 0, 2, 60s);
  local.stop_node(followers[1]);

  // The leader alone is the ISR, and min.insync.replicas=1: it acknowledges on its own.
  for (int i = 0; i < 200; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  EXPECT_EQ(ledger.outcomes().acknowledged, 300u) << "the leader acknowledged all of them";

  // The leader dies with the only copy. The followers come back together (each alone is no
  // quorum) and one of them is elected uncleanly, from outside the ISR, without those records.
  local.kill_node(leader);
  local.start_nodes(followers);
  klab::testing::await_leader(
      topic, 0, [&](int b) { return b != leader; }, 90s);
  local.start_node(leader);  // rejoins as a follower and truncates its log to the new leader's

  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "acks=1, followers stopped, leader killed, unclean election:\n" << report << '\n';
  EXPECT_EQ(report.acknowledged, 300u);
  EXPECT_EQ(report.lost, 200u) << "acknowledged by the leader alone, gone with it";
  EXPECT_EQ(report.consumed_unique, 100u);
}

// Sends ledger records from a background thread until stopped, so faults hit a live stream.
class Stream {
 public:
  Stream(DeliveryLedger& ledger, Producer& producer) : ledger_(ledger), producer_(producer) {
    thread_ = std::jthread([this](std::stop_token stop) {
      int i = 0;
      while (!stop.stop_requested()) {
        if (auto err = ledger_.send(producer_, "key-" + std::to_string(i++ % 8)))
          rejected_.fetch_add(1);
        // Pacing: a steady trickle rather than a burst that ends before the fault.
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  void stop() {
    thread_.request_stop();
    thread_.join();
  }
  // Waits for `more` acknowledgements beyond the current count: the stream is flowing.
  bool await_progress(std::size_t more, std::chrono::milliseconds timeout) {
    auto target = ledger_.outcomes().acknowledged + more;
    return klab::cluster::await_until([&] { return ledger_.outcomes().acknowledged >= target; },
                                      scaled(timeout));
  }
  int rejected() const { return rejected_.load(); }

 private:
  DeliveryLedger& ledger_;
  Producer& producer_;
  std::atomic<int> rejected_{0};
  std::jthread thread_;
};

Config acks_all_config() {
  // Retries go on for up to 2 minutes: long enough to ride out every failover below.
  return producer_config("all").delivery_timeout_ms(120'000);
}

// A ledger, an acks=all producer and a live stream of records into `topic`.
struct AcksAllStream {
  explicit AcksAllStream(const std::string& topic)
      : ledger(topic), producer(acks_all_config()), stream(ledger, producer) {}
  DeliveryLedger ledger;
  Producer producer;
  Stream stream;
};

// kill -9 of the partition's leader; returns it once another broker leads.
int kill_leader(const std::string& topic) {
  int leader = klab::testing::partition_info(topic, 0).leader;
  cluster().local().kill_node(leader);
  klab::testing::await_leader(
      topic, 0, [&](int b) { return b != leader; }, 60s);
  return leader;
}

// Stops the stream, waits for every report and checks the acks=all promise: nothing
// acknowledged is missing, and with retries everything was acknowledged.
void expect_nothing_lost(Stream& stream, Producer& producer, const DeliveryLedger& ledger,
                         const char* title) {
  stream.stop();
  ASSERT_FALSE(producer.flush(scaled(130s)));
  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << title << ":\n" << report << '\n';
  EXPECT_EQ(stream.rejected(), 0);
  EXPECT_EQ(report.lost, 0u) << "an acknowledged record was on 2 replicas before the ack";
  EXPECT_EQ(report.acknowledged, report.attempted) << "retries delivered every record";
  EXPECT_EQ(report.phantoms, 0u);
}

TEST_F(P2Acks, AcksAllWithMinIsrTwoLosesNothingWhenTheLeaderIsKilled) {
  KLAB_ROADMAP("2.2.1");
  auto topic = unique_name("acksall");
  klab::testing::create_topic(topic, 1, 3, {{"min.insync.replicas", "2"}});
  auto& local = cluster().local();
  AcksAllStream run(topic);
  auto& [ledger, producer, stream] = run;
  ASSERT_TRUE(stream.await_progress(300, 30s));

  int leader = kill_leader(topic);
  ASSERT_TRUE(stream.await_progress(300, 60s)) << "the stream resumes on the new leader";
  local.start_node(leader);
  expect_nothing_lost(stream, producer, ledger,
                      "acks=all, min.insync.replicas=2, leader killed mid-stream");
}

TEST_F(P2Acks, AcksAllWithMinIsrTwoLosesNothingAcrossFiveHardBounces) {
  KLAB_ROADMAP("2.2.1");
  auto topic = unique_name("bounce");
  klab::testing::create_topic(topic, 1, 3, {{"min.insync.replicas", "2"}});
  auto& local = cluster().local();
  AcksAllStream run(topic);
  auto& [ledger, producer, stream] = run;
  ASSERT_TRUE(stream.await_progress(200, 30s));

  for (int bounce = 1; bounce <= 5; ++bounce) {
    SCOPED_TRACE("bounce " + std::to_string(bounce));
    // Kafka's system tests bounce the leader: kill -9, then start it again.
    int leader = kill_leader(topic);
    ASSERT_TRUE(stream.await_progress(100, 60s));
    local.start_node(leader);
    // Back in the ISR before the next bounce, so each kill leaves min.insync.replicas.
    klab::testing::await_isr_size(topic, 0, 3, 60s);
  }
  expect_nothing_lost(stream, producer, ledger,
                      "acks=all, min.insync.replicas=2, 5 hard bounces of the leader");
}

TEST_F(P2Acks, AcksAllWithTwoOfThreeReplicasStoppedFailsEverySendWithNotEnoughReplicas) {
  KLAB_ROADMAP("2.2.1");
  auto topic = unique_name("noisr");
  klab::testing::create_topic(topic, 1, 3, {{"min.insync.replicas", "2"}});
  auto& local = cluster().local();
  auto p = klab::testing::partition_info(topic, 0);
  int leader = p.leader;
  auto followers = followers_of(p);
  ASSERT_EQ(followers.size(), 2u);

  // A clean stop (SIGTERM) takes each follower out of the ISR through the controller while a
  // quorum of 2 still stands; after the second stop the leader is alone in the ISR.
  local.stop_node(followers[0]);
  klab::testing::await_isr_size(topic, 0, 2, 60s);
  local.stop_node(followers[1]);

  // retries=0: the broker's error reaches the callback as is, not as a timeout after retries.
  auto config = producer_config("all").set(klab::client::keys::retries, "0");
  DeliveryLedger ledger(topic);
  Producer producer(config);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(ledger.send(producer, "k"));
  ASSERT_FALSE(producer.flush(scaled(30s)));
  auto outcome = ledger.outcomes();
  EXPECT_EQ(outcome.acknowledged, 0u);
  EXPECT_EQ(outcome.failed, 50u);
  // The error every failed record carried:
  auto errors = ledger.errors();
  ASSERT_FALSE(errors.empty());
  for (const auto& [code, count] : errors)
    EXPECT_EQ(code, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS) << count << " record(s)";

  klab::testing::restore_all_nodes();
  klab::testing::await_leader(
      topic, 0, [](int) { return true; }, 60s);
  auto report = ledger.reconcile(cluster().client_config(), scaled(30s));
  std::cout << "acks=all, min.insync.replicas=2, 2 of 3 replicas stopped (leader " << leader
            << " alone):\n"
            << report << '\n';
  EXPECT_EQ(report.consumed_unique, 0u) << "the leader wrote none of them";
  EXPECT_EQ(report.phantoms, 0u);
}

}  // namespace
