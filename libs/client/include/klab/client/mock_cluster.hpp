#pragma once
// librdkafka's in-process mock cluster: NOT a real Kafka broker. Use it only for faults a real
// broker cannot produce on demand (an exact error on the Nth request, added round-trip time, a
// broker that vanishes), and say so in the test's name or message.
#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/detail/handles.hpp"

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace klab::client {

/// Kafka protocol ApiKeys the mock's request errors are keyed by.
namespace api_key {
inline constexpr std::int16_t produce = 0;
inline constexpr std::int16_t fetch = 1;
inline constexpr std::int16_t list_offsets = 2;
inline constexpr std::int16_t metadata = 3;
inline constexpr std::int16_t offset_commit = 8;
inline constexpr std::int16_t offset_fetch = 9;
inline constexpr std::int16_t find_coordinator = 10;
inline constexpr std::int16_t join_group = 11;
inline constexpr std::int16_t heartbeat = 12;
inline constexpr std::int16_t init_producer_id = 22;
}  // namespace api_key

class MockCluster {
 public:
  /// Starts `brokers` mock brokers on loopback inside a private handle.
  /// Errors: KafkaException _FAIL when librdkafka cannot create them.
  explicit MockCluster(int brokers = 3);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  /// "127.0.0.1:port,..." of the mock brokers. Errors: none.
  std::string bootstrap() const;
  /// A client Config pointing at the mock brokers. Errors: none.
  Config client_config() const;
  /// Creates a topic (the mock auto-creates only with its default partition count).
  /// Errors: KafkaException with the mock's error (e.g. TOPIC_ALREADY_EXISTS).
  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  /// The next requests of `api_key` (see klab::client::api_key) fail with these errors, one
  /// error per request, in order. Errors: none.
  void push_request_errors(std::int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);
  /// Forgets the errors pushed for `api_key` and not yet used. Errors: none.
  void clear_request_errors(std::int16_t api_key);
  /// Makes the mock answer `topic`'s metadata with `error` (e.g. UNKNOWN_TOPIC_OR_PART; by
  /// default it creates any topic it is asked about). Errors: none.
  void set_topic_error(const std::string& topic, rd_kafka_resp_err_t error);
  /// Adds `rtt_ms` of round-trip time to every request to `broker_id`.
  /// Errors: KafkaException _UNKNOWN_BROKER.
  void set_rtt(int broker_id, int rtt_ms);
  /// Takes a broker down (connections closed and refused) or brings it back.
  /// Errors: KafkaException _UNKNOWN_BROKER.
  void set_broker_down(int broker_id, bool down = true);
  /// Moves the leadership of one partition to `broker_id` (-1: no leader).
  /// Errors: KafkaException _UNKNOWN_PARTITION / _UNKNOWN_BROKER.
  void set_partition_leader(const std::string& topic, std::int32_t partition, int broker_id);

 private:
  detail::HandlePtr owner_;  // the mock lives inside this handle
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

}  // namespace klab::client
