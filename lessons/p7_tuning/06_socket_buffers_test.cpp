// 7.1.3 Socket buffers: socket.receive.buffer.bytes / socket.send.buffer.bytes (Kafka's defaults:
// 100 KiB each) are what the broker asks the kernel for on every connection it accepts; the
// kernel doubles the value for its bookkeeping (socket(7)). Seen with `ss -tm` on the broker's
// side of a client's connection. -1 leaves the size to the kernel's autotuning.
#include <gtest/gtest.h>

#include <iostream>
#include <regex>

#include "klab/client/producer.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

struct SocketMemory {
  long receive = -1;  ///< rb: the receive buffer the kernel granted, bytes
  long send = -1;     ///< tb: the send buffer
};

// The broker's side of an established connection to its client port (sport), from ss -tm.
SocketMemory broker_side_socket(std::uint16_t port) {
  auto r = klab::cluster::run_command(
      {"ss", "-tmnH", "state", "established", "( sport = :" + std::to_string(port) + " )"}, 10s);
  std::smatch m;
  SocketMemory out;
  if (std::regex_search(r.output, m, std::regex(R"(rb(\d+))"))) out.receive = std::stol(m[1]);
  if (std::regex_search(r.output, m, std::regex(R"(tb(\d+))"))) out.send = std::stol(m[1]);
  return out;
}

class P7SocketBuffers : public klab::testing::ChaosTest<1> {
 protected:
  void TearDown() override {
    if (!cluster().external()) {
      cluster().local().set_node_overrides(1, {});
      cluster().local().restart_node(1);
    }
    ChaosTest::TearDown();
  }
  // A connected producer keeps its connection open while ss looks at it.
  SocketMemory with_connected_client() {
    auto topic = unique_name("buffers");
    klab::testing::create_topic(topic, 1, 1);
    klab::client::Producer producer(cluster().client_config());
    EXPECT_FALSE(producer.send_sync({.topic = topic, .value = "v"}, scaled(30s)).error);
    return broker_side_socket(cluster().local().nodes().at(0).client_port);
  }
};

TEST_F(P7SocketBuffers, TheBrokerAsksTheKernelForItsConfiguredSocketBuffers) {
  KLAB_ROADMAP("7.1.3");
  auto defaults = with_connected_client();
  cluster().local().set_node_overrides(
      1, {{"socket.receive.buffer.bytes", "65536"}, {"socket.send.buffer.bytes", "131072"}});
  cluster().local().restart_node(1);
  auto tuned = with_connected_client();
  std::cout << "broker side of a client connection: defaults rb " << defaults.receive << " tb "
            << defaults.send << "; 64 KiB / 128 KiB configured: rb " << tuned.receive << " tb "
            << tuned.send << '\n';
  EXPECT_EQ(defaults.receive, 2 * 102400) << "100 KiB asked, the kernel doubles it";
  EXPECT_EQ(tuned.receive, 2 * 65536);
  EXPECT_EQ(tuned.send, 2 * 131072);
}

}  // namespace
