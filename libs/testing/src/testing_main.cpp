// main() for test binaries that need a cluster: one real cluster for the whole binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "klab/client/log.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/testing/test_cluster.hpp"

namespace {

class LabEnvironment : public ::testing::Environment {
 public:
  explicit LabEnvironment(klab::testing::TestCluster& c) : cluster_(c) {}
  void SetUp() override {
    try {
      cluster_.start();
    } catch (const klab::cluster::ClusterError& e) {
      klab::client::log(
          klab::client::LogLevel::error, "klab",
          std::string("cannot start the test cluster: ") + e.what() + "\n" + e.details());
      std::exit(2);  // every test would fail the same way: say it once
    }
  }
  void TearDown() override {
    bool failed = ::testing::UnitTest::GetInstance()->failed_test_count() > 0;
    cluster_.stop(failed);
  }

 private:
  klab::testing::TestCluster& cluster_;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleMock(&argc, argv);
  static klab::testing::TestCluster cluster(klab::testing::declared_cluster());
  ::testing::AddGlobalTestEnvironment(new LabEnvironment(cluster));
  return RUN_ALL_TESTS();
}
