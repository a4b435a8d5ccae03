#pragma once
// librdkafka's in-process mock cluster: NOT a real Kafka broker. Use it only for faults a real
// broker cannot produce on demand (an exact error on the Nth request, added round-trip time),
// and say so in the test's name or message.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <vector>

#include "klab/client/config.hpp"

namespace klab::testing {

class MockCluster {
 public:
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  std::string bootstrap() const;
  /// A client Config pointing at the mock brokers.
  klab::client::Config client_config() const;
  /// Creates a topic on the mock (it does not auto-create with a chosen partition count).
  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  /// The next requests of `api_key` (e.g. RD_KAFKA_ProduceRequest = 0) fail with these errors,
  /// one error per request, in order.
  void push_request_errors(int api_key, const std::vector<rd_kafka_resp_err_t>& errors);
  /// Adds `rtt_ms` of round-trip time to every request to `broker_id`.
  void set_rtt(int broker_id, int rtt_ms);
  rd_kafka_mock_cluster_t* raw() const { return mock_; }

 private:
  rd_kafka_t* owner_ = nullptr;  // the mock lives inside this handle
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

/// Fixture: each test gets a fresh 3-broker mock cluster.
class MockClusterTest : public ::testing::Test {
 protected:
  MockCluster mock_{3};
};

}  // namespace klab::testing
