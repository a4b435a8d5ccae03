// The mock-cluster fixture itself. librdkafka's mock cluster is NOT a real broker: it exists for
// faults a real broker cannot produce on demand, and these tests use it only for that.
#include <gtest/gtest.h>

#include "klab/client/producer.hpp"
#include "klab/testing/mock_cluster.hpp"

namespace {
using namespace std::chrono_literals;

class MockClusterFixture : public klab::testing::MockClusterTest {};

TEST_F(MockClusterFixture, InjectedProduceErrorReachesTheSenderOnTheMock) {
  mock_.create_topic("payments", 1, 1);
  // Retries would hide the first error: fail the next request with a non-retriable one.
  constexpr int produce_api_key = 0;  // Kafka protocol ApiKey of ProduceRequest
  mock_.push_request_errors(produce_api_key, {RD_KAFKA_RESP_ERR_INVALID_RECORD});
  auto config = mock_.client_config();
  config.set("acks", "all");
  klab::client::Producer producer(config);
  klab::client::ProducerRecord r;
  r.topic = "payments";
  r.value = "card-1";
  auto report = producer.send_sync(r, 30s);
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR_INVALID_RECORD) << report.error.to_string();
  EXPECT_EQ(report.status, klab::client::PersistenceStatus::not_persisted);

  // The fault was one request only: the next send goes through.
  auto ok = producer.send_sync(r, 30s);
  EXPECT_FALSE(ok.error) << ok.error.to_string();
  EXPECT_EQ(ok.offset, 0);
}

TEST_F(MockClusterFixture, RoundTripLongerThanTheDeliveryTimeoutFailsTheSendOnTheMock) {
  mock_.create_topic("slow", 1, 1);
  for (int broker = 1; broker <= 3; ++broker) mock_.set_rtt(broker, 5000);
  auto config = mock_.client_config();
  config.set("message.timeout.ms", "1000");
  klab::client::Producer producer(config);
  klab::client::ProducerRecord r;
  r.topic = "slow";
  r.value = "late";
  auto report = producer.send_sync(r, 30s);
  EXPECT_EQ(report.error.code(), RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) << report.error.to_string();
}

}  // namespace
