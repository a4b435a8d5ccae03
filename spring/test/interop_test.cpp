// Interoperability on a real cluster: the C++ KafkaTemplate and a Spring Boot application (the
// module's InteropPeer, profile "interop", its own JVM) talk JSON through the same topics,
// Spring's __TypeId__ header included, and both place a key in the same partition.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "klab/client/admin.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/managed_process.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace interop {
// Field names as the Java record's components (dev.kafkalab.spring.interop.Order).
struct Order {
  std::string id;
  long amountCents = 0;
  std::string item;
  NLOHMANN_DEFINE_TYPE_INTRUSIVE(Order, id, amountCents, item)
};
}  // namespace interop

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

const fs::path spring_root = fs::path(KLAB_SOURCE_DIR) / "spring";
const fs::path spring_state = fs::path(KLAB_SOURCE_DIR) / ".klab" / "spring";

std::string slurp(const fs::path& f) {
  std::ifstream in(f);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The module's classes and its dependencies' jars, from Maven (offline).
std::string peer_classpath() {
  auto file = spring_state / "classpath.txt";
  auto r = klab::cluster::run_command(
      {"mvn", "-o", "-q", "-B", "-f", (spring_root / "pom.xml").string(), "compile",
       "dependency:build-classpath", "-Dmdep.outputFile=" + file.string()},
      scaled(300s));
  if (r.exit_code != 0) throw std::runtime_error("mvn failed:\n" + r.output);
  return (spring_state / "target" / "classes").string() + ":" + slurp(file);
}

struct Topics {
  std::string inbound = unique_name("interop.orders");
  std::string outbound = unique_name("interop.seen");
  std::string spring_keys = unique_name("interop.spring-keys");
  std::string cpp_keys = unique_name("interop.cpp-keys");
};

TEST(SpringInterop,
     CppTemplateAndSpringListenerExchangeJsonWithTypeHeadersAndPickTheSamePartitions) {
  ::testing::Test::RecordProperty("roadmap", "6.3.3");
  Topics t;
  klab::client::Admin admin(cluster().client_config());
  for (const auto& [name, partitions] : std::map<std::string, int>{
           {t.inbound, 3}, {t.outbound, 3}, {t.spring_keys, 6}, {t.cpp_keys, 6}})
    admin.create_topic({.name = name, .partitions = partitions, .replication_factor = 1},
                       scaled(30s));

  // The Spring Boot application, on this test's cluster through KLAB_BOOTSTRAP.
  setenv("KLAB_BOOTSTRAP", cluster().bootstrap().c_str(), 1);
  auto dir = fs::temp_directory_path() / unique_name("spring-peer");
  fs::create_directories(dir);
  klab::cluster::ManagedProcess peer(dir / "peer.pid", "dev.kafkalab.spring.LabApplication");
  peer.start({"java", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", peer_classpath(),
              "dev.kafkalab.spring.LabApplication", "--spring.profiles.active=interop",
              "--lab.interop.inbound=" + t.inbound, "--lab.interop.outbound=" + t.outbound,
              "--lab.interop.keys-topic=" + t.spring_keys,
              "--lab.interop.group=" + unique_name("spring-peer")},
             {.log_file = dir / "peer.log", .die_with_parent = true});
  ASSERT_TRUE(await_until(
      [&] { return slurp(dir / "peer.log").find("interop peer ready") != std::string::npos; },
      scaled(120s)))
      << slurp(dir / "peer.log");

  // C++ -> Spring: JSON with Spring's type header; Spring -> C++: its answer, typed the same way.
  klab::framework::KafkaTemplate<std::string, interop::Order> orders(cluster().client_config());
  for (int i = 1; i <= 3; ++i) {
    klab::framework::KafkaTemplate<std::string, interop::Order>::Record r;
    r.topic = t.inbound;
    r.key = "o-" + std::to_string(i);
    r.value = interop::Order{"o-" + std::to_string(i), 1000L * i, "book " + std::to_string(i)};
    r.headers.add("__TypeId__", std::string("dev.kafkalab.spring.interop.Order"));
    ASSERT_FALSE(orders.send(std::move(r)).get().error);
  }
  auto seen = klab::testing::consume_until(cluster().client_config(), t.outbound, 3, scaled(60s));
  ASSERT_EQ(seen.size(), 3u) << slurp(dir / "peer.log");
  for (const auto& r : seen) {
    auto type = r.headers().last("__TypeId__");
    ASSERT_TRUE(type && type->value);
    EXPECT_EQ(*type->value, "dev.kafkalab.spring.interop.OrderSeen");
    auto j = nlohmann::json::parse(r.value().value_or("{}"));
    auto order = j["order"].get<interop::Order>();
    EXPECT_EQ("o-" + order.id.substr(2), std::string(r.key().value_or("")));
    EXPECT_EQ(order.amountCents, 1000L * std::stol(order.id.substr(2)));
    EXPECT_EQ(j["typeIdHeader"], "dev.kafkalab.spring.interop.Order")
        << "Spring read the C++ side's type header";
  }

  // The same key lands in the same partition from either side (murmur2, Java's default).
  auto from_spring =
      klab::testing::consume_until(cluster().client_config(), t.spring_keys, 100, scaled(60s));
  ASSERT_EQ(from_spring.size(), 100u);
  klab::framework::KafkaTemplate<std::string, std::string> keys(cluster().client_config());
  int same = 0;
  for (const auto& r : from_spring) {
    auto report = keys.send(t.cpp_keys, std::string(r.key().value_or("")), "from c++").get();
    ASSERT_FALSE(report.error);
    same += report.partition == r.partition();
  }
  EXPECT_EQ(same, 100) << "partitions differ for " << 100 - same << " of 100 keys";
  peer.stop(scaled(30s));
}

}  // namespace
