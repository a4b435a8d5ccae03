#pragma once
// The lab's @EmbeddedKafka: one real Apache Kafka cluster per test binary, started through the
// same launcher as `klab up`, or the external cluster named by KLAB_BOOTSTRAP.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/cluster/cluster_spec.hpp"
#include "klab/cluster/fault_proxy.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/postgres.hpp"
#include "klab/cluster/schema_registry.hpp"
#include "klab/cluster/target.hpp"
#include "klab/testing/skip.hpp"

namespace klab::testing {

/// What a test binary needs. Declare it once per binary with KLAB_TEST_CLUSTER.
struct ClusterRequest {
  int nodes = 1;
  /// Broker properties for this binary's cluster (e.g. fast log retention checks).
  /// `${security_dir}` in a value names the secured cluster's keys folder.
  std::map<std::string, std::string> broker_properties;
  /// A secured cluster (as `klab up --secure`): client_config() is then its admin over
  /// mTLS, and client_config_as() picks another user and listener.
  bool secure = false;
  /// A TCP fault proxy (Toxiproxy) in front of every broker of the local cluster: clients of
  /// proxied_client_config() go through it, and fault_proxy() puts latency or a black hole
  /// before one broker.
  bool fault_proxy = false;
  /// The lab's schema registry (Apicurio, in memory) beside the cluster, started when a test
  /// first asks for registry_url(). Against an external cluster, $KLAB_REGISTRY_URL.
  bool registry = false;
  /// The lab's PostgreSQL (the practice systems' database) beside the cluster, started when a
  /// test first asks for postgres(). Against an external cluster, $KLAB_POSTGRES.
  bool postgres = false;
};

class TestCluster {
 public:
  explicit TestCluster(ClusterRequest request);
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  void start();  ///< starts the local cluster (no-op for an external one)
  void stop(bool keep_files);

  const std::string& bootstrap() const { return target_.bootstrap; }
  /// A client Config for this cluster (bootstrap + KLAB_CLIENT_PROPERTIES).
  klab::client::Config client_config() const;
  /// `user` (admin, alice, bob) on one listener of the secured local cluster; call only after
  /// KLAB_REQUIRE_LOCAL_CLUSTER.
  klab::client::Config client_config_as(const std::string& user,
                                        klab::cluster::SecureListener listener) const;
  bool external() const { return target_.external; }
  int node_count() const;
  const ClusterRequest& request() const { return request_; }

  /// Each broker's Prometheus JMX exporter URL, in node-id order: the local cluster's nodes,
  /// or $KLAB_METRICS_URLS for an external cluster (empty when it is not set).
  std::vector<std::string> metrics_urls() const;

  /// The lab's local cluster, for fault injection. Call only after KLAB_REQUIRE_LOCAL_CLUSTER.
  klab::cluster::LocalCluster& local();
  /// The fault proxy of a cluster declared with .fault_proxy = true, and a client Config that
  /// reaches the brokers through it. Call only after KLAB_REQUIRE_LOCAL_CLUSTER.
  klab::cluster::FaultProxy& fault_proxy();
  /// "http://127.0.0.1:<port>/apis/ccompat/v7" of a cluster declared with .registry = true
  /// ($KLAB_REGISTRY_URL for an external one; "" when it has none).
  std::string registry_url() const;
  /// libpq settings without dbname ("host=127.0.0.1 port=P user=klab") of the PostgreSQL of a
  /// cluster declared with .postgres = true; $KLAB_POSTGRES when set. Errors: ClusterError when
  /// it has none or it cannot start.
  std::string postgres() const;
  klab::client::Config proxied_client_config() const;

 private:
  ClusterRequest request_;
  klab::cluster::ClusterTarget target_;
  std::filesystem::path state_dir_;
  std::unique_ptr<klab::cluster::LocalCluster> local_;
  std::unique_ptr<klab::cluster::FaultProxy> fault_proxy_;
  mutable std::mutex registry_mutex_;
  mutable std::unique_ptr<klab::cluster::SchemaRegistry> registry_;  // started on first use
  mutable std::unique_ptr<klab::cluster::Postgres> postgres_;        // started on first use
};

/// The running test binary's cluster.
TestCluster& cluster();

/// Declares the cluster a test binary needs (once, at namespace scope).
bool declare_cluster(ClusterRequest request);
const ClusterRequest& declared_cluster();

/// A name unique to the running test, safe as a Kafka topic or group name:
/// "<Suite>.<Test>-<purpose>-<random>".
std::string unique_name(const std::string& purpose = "t");

}  // namespace klab::testing

#define KLAB_TEST_CLUSTER(...)                                     \
  [[maybe_unused]] static const bool klab_test_cluster_declared_ = \
      ::klab::testing::declare_cluster(::klab::testing::ClusterRequest{__VA_ARGS__})

/// Skips the test with a stated reason when the cluster is not the lab's own (faults need it).
#define KLAB_REQUIRE_LOCAL_CLUSTER()                                                     \
  do {                                                                                   \
    if (::klab::testing::cluster().external())                                           \
      KLAB_SKIP("needs the lab's own cluster to inject faults; KLAB_BOOTSTRAP="          \
                << ::klab::testing::cluster().bootstrap() << " is an external cluster"); \
  } while (0)

/// Skips when the cluster has fewer brokers than the test needs.
#define KLAB_REQUIRE_BROKERS(n)                                       \
  do {                                                                \
    if (::klab::testing::cluster().node_count() < (n))                \
      KLAB_SKIP("needs " << (n) << " brokers; the cluster has "       \
                         << ::klab::testing::cluster().node_count()); \
  } while (0)

/// Tags a lesson test with the roadmap item it proves (shown in the JSON report).
#define KLAB_ROADMAP(item) ::testing::Test::RecordProperty("roadmap", item)
