// 7.3.3 Out of memory on the broker: a broker reads a request's size from its first four bytes
// and allocates a buffer that large before it reads the rest. socket.request.max.bytes (100 MiB
// by default) is the only thing between a stray client and that allocation: an HTTP health check
// aimed at the Kafka port claims 1,195,725,856 bytes ("GET " read as an int32).
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/raw_request.hpp"
#include "klab/testing/chaos_test.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::http_health_check;
using klab::cluster::RawReply;
using klab::cluster::scaled;
using klab::testing::cluster;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool node_running(int id) {
  for (const auto& n : cluster().local().nodes())
    if (n.id == id) return n.running;
  return false;
}

class P7OutOfMemory : public klab::testing::ChaosTest<1> {
 protected:
  void TearDown() override {
    // Whatever the test did to the node's settings ends with it.
    if (!cluster().external()) cluster().local().set_node_overrides(1, {});
    ChaosTest::TearDown();
  }
};

TEST_F(P7OutOfMemory, DefaultSocketRequestMaxBytesRefusesAnHttpRequestAndTheBrokerStaysUp) {
  KLAB_ROADMAP("7.3.3");
  ASSERT_EQ(klab::cluster::claimed_size(http_health_check), 1'195'725'856);
  auto reply = klab::cluster::send_raw("127.0.0.1", cluster().local().nodes().at(0).client_port,
                                       http_health_check, scaled(10s));
  EXPECT_EQ(reply, RawReply::closed) << "the broker drops a connection whose request is too big";

  EXPECT_TRUE(node_running(1));
  klab::client::Admin admin(cluster().client_config());
  EXPECT_EQ(admin.describe_cluster(scaled(10s)).brokers.size(), 1u) << "and keeps serving";
  auto log = cluster().local().log_file(1);
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        return read_text(log).find("Invalid receive (size = 1195725856 larger than 104857600)") !=
               std::string::npos;
      },
      scaled(10s)))
      << "server.log names the refused size and the limit: " << log;
}

TEST_F(P7OutOfMemory, RaisedSocketRequestMaxBytesLetsTheSameRequestKillTheBroker) {
  KLAB_ROADMAP("7.3.3");
  auto& local = cluster().local();
  // What "allow big messages" changes sometimes look like: the limit at Integer.MAX_VALUE.
  local.set_node_overrides(1, {{"socket.request.max.bytes", "2147483647"}});
  local.restart_node(1);

  auto port = local.nodes().at(0).client_port;
  auto stdout_file = local.node_dir(1) / "logs" / "stdout.log";
  auto before = read_text(stdout_file).size();
  auto reply = klab::cluster::send_raw("127.0.0.1", port, http_health_check, scaled(10s));
  EXPECT_NE(reply, RawReply::answered);
  ASSERT_TRUE(klab::cluster::await_until([] { return !node_running(1); }, scaled(30s)))
      << "a broker asked for a 1.1 GiB buffer with a smaller heap should have died";

  // The lab runs brokers with -XX:+ExitOnOutOfMemoryError, as production should: a JVM that
  // ran out of heap is in an unknown state. Its last words are on stdout, not in server.log.
  auto stdout_log = read_text(stdout_file).substr(before);
  EXPECT_NE(stdout_log.find("Terminating due to java.lang.OutOfMemoryError: Java heap space"),
            std::string::npos)
      << "see " << stdout_file;

  // The fix: the default limit again, and the same request is refused by a broker that lives.
  local.set_node_overrides(1, {});
  local.start_node(1);
  EXPECT_EQ(klab::cluster::send_raw("127.0.0.1", port, http_health_check, scaled(10s)),
            RawReply::closed);
  EXPECT_TRUE(node_running(1));
  std::cout << "socket.request.max.bytes=2147483647: an HTTP request killed the broker "
               "(OutOfMemoryError); back at 104857600 it was refused and the broker stayed up\n";
}

}  // namespace
