// 7.1.3 Bandwidth: a link slower than what the producer writes. The producer keeps queueing (its
// buffer is memory, not the network), and every record still waiting when delivery.timeout.ms
// runs out fails with _MSG_TIMED_OUT. The link here is the lab's TCP fault proxy with a
// bandwidth limit before the leader (the lab listens on loopback only, where tc cannot shape
// one connection; the guide shows tc tbf for your own machine).
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

constexpr int bandwidth_records = 4000;  // 1,000-byte values: about 4 MB

klab::testing::LedgerReport send_through_proxy(const std::string& topic) {
  DeliveryLedger ledger(topic);
  auto config = cluster().proxied_client_config();
  config.acks("all").linger_ms(5).delivery_timeout_ms(8'000);
  config.set(klab::client::keys::socket_timeout_ms, "30000");
  klab::client::Producer producer(config);
  for (int i = 0; i < bandwidth_records; ++i)
    EXPECT_FALSE(ledger.send(producer, std::nullopt, 1000));
  EXPECT_FALSE(producer.flush(scaled(60s))) << "every record gets its report";
  return ledger.outcomes();
}

TEST(P7Bandwidth, ALinkSlowerThanTheProducerTimesRecordsOutThatAFastLinkDelivers) {
  KLAB_ROADMAP("7.1.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // the fault proxy is the lab's
  auto topic = unique_name("bandwidth");
  klab::testing::create_topic(topic, 1, 1);
  auto fast = send_through_proxy(topic);

  cluster().fault_proxy().limit_bandwidth(1, 64);  // KB/s: 4 MB would need about a minute
  auto slow = send_through_proxy(topic);
  cluster().fault_proxy().heal(1);
  std::cout << "4,000 x 1 KB, delivery.timeout.ms=8000: unlimited link " << fast.acknowledged
            << " acknowledged; 64 KB/s link " << slow.acknowledged << " acknowledged, "
            << slow.failed + slow.uncertain << " failed\n";
  EXPECT_EQ(fast.acknowledged, static_cast<std::size_t>(bandwidth_records));
  EXPECT_LT(slow.acknowledged, static_cast<std::size_t>(bandwidth_records / 2))
      << "8 s of a 64 KB/s link carries about half a megabyte";
  EXPECT_EQ(slow.failed + slow.uncertain + slow.acknowledged,
            static_cast<std::size_t>(bandwidth_records));
}

}  // namespace
