#include "klab/testing/mock_cluster.hpp"

#include "klab/client/error.hpp"

namespace klab::testing {

MockCluster::MockCluster(int brokers) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!owner_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create the mock cluster's handle: ") + err);
  }
  mock_ = rd_kafka_mock_cluster_new(owner_, brokers);
  if (!mock_) {
    rd_kafka_destroy(owner_);
    throw std::runtime_error("librdkafka could not create a mock cluster");
  }
}

MockCluster::~MockCluster() {
  if (mock_) rd_kafka_mock_cluster_destroy(mock_);
  if (owner_) rd_kafka_destroy(owner_);
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mock_); }

klab::client::Config MockCluster::client_config() const {
  klab::client::Config c;
  c.bootstrap_servers(bootstrap());
  return c;
}

void MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor) {
  auto err = rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication_factor);
  if (err) throw klab::KafkaException(klab::Error(err));
}

void MockCluster::push_request_errors(int api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(mock_, static_cast<int16_t>(api_key), errors.size(),
                                          errors.data());
}

void MockCluster::set_rtt(int broker_id, int rtt_ms) {
  auto err = rd_kafka_mock_broker_set_rtt(mock_, broker_id, rtt_ms);
  if (err) throw klab::KafkaException(klab::Error(err));
}

}  // namespace klab::testing
