#include "klab/client/mock_cluster.hpp"

#include <librdkafka/rdkafka_mock.h>

#include "klab/client/error.hpp"

namespace klab::client {
namespace {

void throw_if_mock_failed(rd_kafka_resp_err_t err, const std::string& what) {
  if (err) throw KafkaException(Error(err), "mock cluster: " + what);
}

}  // namespace

MockCluster::MockCluster(int brokers) {
  char reason[256] = "";
  detail::ConfPtr conf(rd_kafka_conf_new());
  rd_kafka_conf_set(conf.get(), "log_level", "0", reason, sizeof reason);
  owner_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason, sizeof reason));
  if (!owner_)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__FAIL, std::string("cannot create the mock's handle: ") + reason));
  conf.release();  // owned by the handle now
  mock_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (!mock_)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__FAIL, "librdkafka could not create a mock cluster"));
}

MockCluster::~MockCluster() {
  if (mock_) rd_kafka_mock_cluster_destroy(mock_);
}

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mock_); }

Config MockCluster::client_config() const {
  Config c;
  c.bootstrap_servers(bootstrap());
  return c;
}

void MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor) {
  throw_if_mock_failed(
      rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication_factor),
      "create topic " + topic);
}

void MockCluster::push_request_errors(std::int16_t api_key,
                                      const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(mock_, api_key, errors.size(), errors.data());
}

void MockCluster::clear_request_errors(std::int16_t api_key) {
  rd_kafka_mock_clear_request_errors(mock_, api_key);
}

void MockCluster::set_topic_error(const std::string& topic, rd_kafka_resp_err_t error) {
  rd_kafka_mock_topic_set_error(mock_, topic.c_str(), error);
}

void MockCluster::set_rtt(int broker_id, int rtt_ms) {
  throw_if_mock_failed(rd_kafka_mock_broker_set_rtt(mock_, broker_id, rtt_ms),
                       "rtt of broker " + std::to_string(broker_id));
}

void MockCluster::set_broker_down(int broker_id, bool down) {
  throw_if_mock_failed(down ? rd_kafka_mock_broker_set_down(mock_, broker_id)
                            : rd_kafka_mock_broker_set_up(mock_, broker_id),
                       "broker " + std::to_string(broker_id));
}

void MockCluster::set_partition_leader(const std::string& topic, std::int32_t partition,
                                       int broker_id) {
  throw_if_mock_failed(
      rd_kafka_mock_partition_set_leader(mock_, topic.c_str(), partition, broker_id),
      "leader of " + topic + "/" + std::to_string(partition));
}

}  // namespace klab::client
