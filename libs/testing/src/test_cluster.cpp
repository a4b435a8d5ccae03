#include "klab/testing/test_cluster.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include "klab/client/admin.hpp"
#include "klab/client/log.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/ports.hpp"

namespace klab::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

ClusterRequest& declared() {
  static ClusterRequest request;
  return request;
}

TestCluster*& current() {
  static TestCluster* c = nullptr;
  return c;
}

fs::path make_state_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/klab-test-XXXXXX";
  if (!mkdtemp(pattern.data()))
    throw klab::cluster::ClusterError("cannot create a temporary folder for the test cluster");
  return pattern;
}

}  // namespace

bool declare_cluster(ClusterRequest request) {
  declared() = std::move(request);
  return true;
}

const ClusterRequest& declared_cluster() { return declared(); }

TestCluster& cluster() {
  if (!current())
    throw std::logic_error("no test cluster: link klab::testing_main or install the environment");
  return *current();
}

TestCluster::TestCluster(ClusterRequest request) : request_(std::move(request)) {
  current() = this;
}

TestCluster::~TestCluster() {
  if (current() == this) current() = nullptr;
}

void TestCluster::start() {
  auto paths = klab::cluster::LabPaths::discover();
  target_ = klab::cluster::resolve_target(paths);
  if (target_.external) {
    klab::client::log(klab::client::LogLevel::notice, "klab",
                      "using the external cluster at " + target_.bootstrap +
                          " (KLAB_BOOTSTRAP); fault-injection tests will be skipped");
    return;
  }
  auto t0 = std::chrono::steady_clock::now();
  // Another test binary may pick an overlapping block between our check and our nodes' bind:
  // such a start fails with a bind error, and a fresh block then succeeds.
  for (int attempt = 1;; ++attempt) {
    auto port = klab::cluster::find_free_port_block(request_.nodes);
    if (!port)
      throw klab::cluster::ClusterError("no free block of loopback ports for a test cluster");
    state_dir_ = make_state_dir();
    klab::cluster::ClusterSpec spec;
    spec.nodes = request_.nodes;
    spec.first_client_port = *port;
    spec.state_dir = state_dir_;
    spec.broker_properties = request_.broker_properties;
    spec.secure = request_.secure;
    spec.security_dir = state_dir_ / "security";
    spec.die_with_parent = true;
    spec.light_jvm = true;  // tests need correct brokers, not fast ones: half the start-up CPU
    local_ = std::make_unique<klab::cluster::LocalCluster>(paths, spec);
    try {
      local_->up();
      break;
    } catch (const klab::cluster::ClusterError& e) {
      bool port_taken = e.details().find("Address already in use") != std::string::npos;
      if (!port_taken || attempt == 3) throw;
      klab::client::log(klab::client::LogLevel::notice, "klab",
                        "a test cluster port was taken meanwhile (" + std::string(e.what()) +
                            "): retrying on other ports");
      local_->down(std::chrono::seconds(10));
      std::error_code ec;
      fs::remove_all(state_dir_, ec);
    }
  }
  target_.bootstrap = local_->bootstrap();
  if (request_.fault_proxy) {
    fault_proxy_ =
        std::make_unique<klab::cluster::FaultProxy>(paths, *local_, state_dir_ / "fault-proxy");
    fault_proxy_->start(/*die_with_parent=*/true);
  }
  // The binary's own cluster: the lab's admin.properties (of a secured `klab up`) is not its.
  if (!std::getenv("KLAB_CLIENT_PROPERTIES")) target_.properties_file.reset();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  klab::client::log(klab::client::LogLevel::notice, "klab",
                    std::to_string(request_.nodes) + "-node test cluster ready at " +
                        target_.bootstrap + " in " + std::to_string(ms.count()) +
                        " ms (files: " + state_dir_.string() + ")");
}

void TestCluster::stop(bool keep_files) {
  if (!local_) return;
  if (fault_proxy_) fault_proxy_->stop();
  fault_proxy_.reset();
  if (registry_) registry_->stop();
  registry_.reset();
  if (postgres_) postgres_->stop();
  postgres_.reset();
  local_->down(10s);
  if (keep_files) {
    klab::client::log(klab::client::LogLevel::notice, "klab",
                      "a test failed: the cluster's logs are kept in " + state_dir_.string());
  } else {
    std::error_code ec;
    fs::remove_all(state_dir_, ec);
  }
  local_.reset();
}

klab::client::Config TestCluster::client_config() const {
  if (local_ && local_->secure())
    return client_config_as("admin", klab::cluster::SecureListener::mtls);  // see probe_properties
  return klab::cluster::client_config(target_);
}

std::string TestCluster::registry_url() const {
  if (const char* url = std::getenv("KLAB_REGISTRY_URL"); url && *url) return url;
  if (!request_.registry || !local_) return "";
  // Started by the first test that asks: a shard of the binary without such a test saves a JVM.
  std::lock_guard lock(registry_mutex_);
  if (!registry_) {
    auto port = klab::cluster::find_free_port_block(1, 30000);
    if (!port) throw klab::cluster::ClusterError("no free loopback port for the schema registry");
    auto registry = std::make_unique<klab::cluster::SchemaRegistry>(
        klab::cluster::LabPaths::discover(), *port, state_dir_ / "registry");
    registry->start(/*die_with_parent=*/true);
    registry_ = std::move(registry);
  }
  return registry_->ccompat_url();
}

std::string TestCluster::postgres() const {
  if (const char* base = std::getenv("KLAB_POSTGRES"); base && *base) return base;
  if (!request_.postgres || !local_)
    throw klab::cluster::ClusterError(
        "this test binary has no PostgreSQL: declare .postgres = true, or set KLAB_POSTGRES");
  std::lock_guard lock(registry_mutex_);
  if (!postgres_) {
    auto port = klab::cluster::find_free_port_block(1, 30000);
    if (!port) throw klab::cluster::ClusterError("no free loopback port for PostgreSQL");
    auto pg = std::make_unique<klab::cluster::Postgres>(
        klab::cluster::PostgresSpec{.dir = state_dir_ / "postgres", .port = *port});
    pg->start(/*die_with_parent=*/true);
    postgres_ = std::move(pg);
  }
  return "host=127.0.0.1 port=" + std::to_string(postgres_->port()) + " user=klab";
}

klab::cluster::FaultProxy& TestCluster::fault_proxy() {
  if (!fault_proxy_)
    throw klab::cluster::ClusterError(
        "this test binary's cluster has no fault proxy: declare it with .fault_proxy = true");
  return *fault_proxy_;
}

klab::client::Config TestCluster::proxied_client_config() const {
  if (!local_ || !fault_proxy_)
    throw klab::cluster::ClusterError(
        "proxied_client_config needs the local cluster's fault proxy");
  auto target = target_;
  target.bootstrap = local_->proxied_bootstrap();
  return klab::cluster::client_config(target);
}

klab::client::Config TestCluster::client_config_as(const std::string& user,
                                                   klab::cluster::SecureListener listener) const {
  if (!local_) throw klab::cluster::ClusterError("client_config_as needs the lab's own cluster");
  klab::client::Config c;
  for (const auto& [k, v] : local_->client_properties(user, listener)) c.set(k, v);
  return c;
}

int TestCluster::node_count() const {
  if (local_) return local_->node_count();
  klab::client::Admin admin(client_config());
  return static_cast<int>(admin.describe_cluster(klab::cluster::scaled(10s)).brokers.size());
}

std::vector<std::string> TestCluster::metrics_urls() const {
  if (!local_) return klab::cluster::metrics_urls(klab::cluster::LabPaths::discover());
  std::vector<std::string> out;
  for (int id = 1; id <= local_->node_count(); ++id) out.push_back(local_->metrics_url(id));
  return out;
}

klab::cluster::LocalCluster& TestCluster::local() {
  if (!local_) throw std::logic_error("the test cluster is external: no fault controls");
  return *local_;
}

std::string unique_name(const std::string& purpose) {
  static std::atomic<int> counter{0};
  static const auto salt = std::to_string(std::random_device{}() % 100000);
  std::string base = "klab";
  if (auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
    base = std::string(info->test_suite_name()) + "." + info->name();
  std::string name = base + "-" + purpose + "-" + salt + "-" + std::to_string(counter++);
  for (auto& c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  return name.substr(0, 249);
}

}  // namespace klab::testing
