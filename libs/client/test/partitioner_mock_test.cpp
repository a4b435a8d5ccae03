// Config::partitioner wired into a real librdkafka producer, against librdkafka's in-process mock
// cluster (NOT a real Kafka broker): the mock only has to accept Produce requests and report
// partitions; what is checked is where librdkafka routes records and how it fails them.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/partitioner.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/mock_cluster.hpp"

namespace {
using namespace std::chrono_literals;
using namespace klab::client;
using klab::cluster::scaled;

/// Collects delivery reports from any thread.
class Reports {
 public:
  DeliveryCallback callback() {
    return [this](const DeliveryReport& r) {
      std::lock_guard lock(mutex_);
      reports_.push_back(r);
    };
  }
  std::vector<DeliveryReport> all() const {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<DeliveryReport> reports_;
};

ProducerRecord record(const std::string& topic, std::optional<std::string> key,
                      std::string value = "v") {
  ProducerRecord r;
  r.topic = topic;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

/// A partitioner that counts its calls and sends every keyless record to `keyless_to`.
struct CountingPartitioner {
  std::shared_ptr<std::atomic<int>> keyless_calls = std::make_shared<std::atomic<int>>(0);
  std::shared_ptr<std::atomic<int>> keyed_calls = std::make_shared<std::atomic<int>>(0);
  std::int32_t keyless_to;

  std::int32_t operator()(const PartitionerInput& in) const {
    if (!in.key) {
      ++*keyless_calls;
      return keyless_to;
    }
    ++*keyed_calls;
    return java_key_partition(*in.key, in.partition_count);
  }
};

class PartitionerOnMockCluster : public klab::testing::MockClusterTest {
 protected:
  std::string topic(int partitions) {
    auto name = std::string(testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
                std::to_string(counter_++);
    mock_.create_topic(name, partitions, 1);
    return name;
  }

  Config config() const {
    auto c = mock_.client_config();
    c.linger_ms(5);  // batches of several records, so a sticky partitioner would show
    return c;
  }

 private:
  int counter_ = 0;
};

TEST_F(PartitionerOnMockCluster, InstalledCallableRoutesEveryRecordIncludingKeyless) {
  auto t = topic(4);
  CountingPartitioner counting{.keyless_to = 2};
  auto c = config();
  c.partitioner(counting);
  Producer producer(c);
  Reports reports;
  constexpr int keyless = 30, keyed = 10;
  for (int i = 0; i < keyless; ++i) ASSERT_FALSE(producer.send(record(t, {}), reports.callback()));
  for (int i = 0; i < keyed; ++i)
    ASSERT_FALSE(producer.send(record(t, "k" + std::to_string(i)), reports.callback()));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  auto all = reports.all();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(keyless + keyed));
  for (const auto& r : all) {
    EXPECT_FALSE(r.error) << r.error.to_string();
    auto expected = r.key ? java_key_partition(*r.key, 4) : 2;
    EXPECT_EQ(r.partition, expected) << (r.key ? *r.key : "(null key)");
  }
  EXPECT_EQ(*counting.keyless_calls, keyless);
  EXPECT_EQ(*counting.keyed_calls, keyed);
}

TEST_F(PartitionerOnMockCluster, StickyLingerAboveZeroLetsLibrdkafkaBypassTheCallableForKeyless) {
  auto t = topic(4);
  CountingPartitioner counting{.keyless_to = 2};
  auto c = config();
  c.partitioner(counting);
  c.set("sticky.partitioning.linger.ms", "10");  // librdkafka's default, restored on purpose
  Producer producer(c);
  // Warm the metadata first: the bypass is decided per record, once the topic is known.
  ASSERT_FALSE(producer.send_sync(record(t, "warm"), scaled(30s)).error);
  Reports reports;
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(producer.send(record(t, {}), reports.callback()));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  ASSERT_EQ(reports.all().size(), 20u);
  for (const auto& r : reports.all()) EXPECT_FALSE(r.error) << r.error.to_string();
  EXPECT_EQ(*counting.keyless_calls, 0) << "librdkafka's own sticky partitioner took them";
  EXPECT_EQ(*counting.keyed_calls, 1);
}

TEST_F(PartitionerOnMockCluster, KeyedRecordsLandWhereJavaWouldPutThem) {
  auto t = topic(12);
  auto c = config();
  c.partitioner(KeyHashPartitioner{});
  Producer producer(c);
  Reports reports;
  const std::vector<std::string> keys{"21",    "foobar",  "abc",      "",        "a",
                                      "abcde", "abcdefg", "order-42", "주문-42", "customer-7"};
  for (const auto& k : keys) ASSERT_FALSE(producer.send(record(t, k), reports.callback()));
  ASSERT_FALSE(producer.flush(scaled(30s)));

  auto all = reports.all();
  ASSERT_EQ(all.size(), keys.size());
  for (const auto& r : all) {
    EXPECT_FALSE(r.error) << r.error.to_string();
    ASSERT_TRUE(r.key);
    EXPECT_EQ(r.partition, java_key_partition(*r.key, 12)) << '"' << *r.key << '"';
  }
}

TEST_F(PartitionerOnMockCluster, LibrdkafkasMurmur2RandomPartitionerAgreesWithJavaKeyPartition) {
  // For comparison: without a callable, librdkafka's built-in "murmur2_random" is the same hash.
  auto t = topic(12);
  auto c = config();
  c.set("partitioner", "murmur2_random");
  Producer producer(c);
  for (std::string k : {"21", "foobar", "abcdefg", "주문-42", "customer-7"}) {
    auto r = producer.send_sync(record(t, k), scaled(30s));
    EXPECT_FALSE(r.error) << r.error.to_string();
    EXPECT_EQ(r.partition, java_key_partition(k, 12)) << '"' << k << '"';
  }
}

TEST_F(PartitionerOnMockCluster, OutOfRangeResultFailsTheSend) {
  auto t = topic(3);
  auto result = std::make_shared<std::atomic<std::int32_t>>(3);  // == partition_count
  auto c = config();
  c.partitioner([result](const PartitionerInput&) { return result->load(); });
  Producer producer(c);

  // Metadata not known yet: the record waits unpartitioned, the callable runs once metadata
  // arrives, and the failure comes back in the delivery report.
  auto first = producer.send_sync(record(t, "k"), scaled(30s));
  EXPECT_EQ(first.error.code(), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) << first.error.to_string();
  EXPECT_EQ(first.status, PersistenceStatus::not_persisted);

  // Metadata known: send() runs the callable itself and returns the error at once.
  for (std::int32_t bad : {3, 100, -1, -7}) {
    result->store(bad);
    Reports reports;
    auto err = producer.send(record(t, "k"), reports.callback());
    EXPECT_EQ(err.code(), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) << "result " << bad;
  }

  result->store(1);
  auto ok = producer.send_sync(record(t, "k"), scaled(30s));
  EXPECT_FALSE(ok.error) << ok.error.to_string();
  EXPECT_EQ(ok.partition, 1);
}

TEST_F(PartitionerOnMockCluster, ThrowingCallableFailsTheSendAndIsReportedOnce) {
  auto t = topic(3);
  auto c = config();
  c.partitioner([](const PartitionerInput& in) -> std::int32_t {
    if (in.key && *in.key == "bad") throw std::runtime_error("no route for key 'bad'");
    return 0;
  });
  Producer producer(c);
  ASSERT_FALSE(producer.send_sync(record(t, "good"), scaled(30s)).error);  // metadata warm

  testing::internal::CaptureStderr();
  std::vector<klab::Error> errors;
  for (int i = 0; i < 3; ++i) errors.push_back(producer.send(record(t, "bad")));
  auto printed = testing::internal::GetCapturedStderr();
  for (const auto& e : errors) EXPECT_EQ(e.code(), RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION);
  auto first = printed.find("no route for key 'bad'");
  EXPECT_NE(first, std::string::npos) << printed;
  EXPECT_EQ(printed.find("no route for key 'bad'", first + 1), std::string::npos) << printed;

  auto ok = producer.send_sync(record(t, "good"), scaled(30s));
  EXPECT_FALSE(ok.error) << "the producer stays usable: " << ok.error.to_string();
}

// Topic-level properties set through Config live in the conf's default topic conf; installing
// the partitioner must add to that topic conf, not replace it.
TEST_F(PartitionerOnMockCluster, AcksAndCompressionSurviveInstallingAPartitioner) {
  auto t = topic(3);
  auto c = config();
  c.acks(Acks::none).message_timeout_ms(12'345);  // topic-level, set before
  c.partitioner(RoundRobinPartitioner{});
  c.compression_type(CompressionType::lz4);  // global in librdkafka, set after
  Producer producer(c);

  auto effective = [&](const char* key) {
    char value[64] = "";
    size_t size = sizeof value;
    EXPECT_EQ(rd_kafka_conf_get(rd_kafka_conf(producer.native()), key, value, &size),
              RD_KAFKA_CONF_OK)
        << key;
    return std::string(value);
  };
  EXPECT_EQ(effective("acks"), "0");
  EXPECT_EQ(effective("message.timeout.ms"), "12345");
  EXPECT_EQ(effective("compression.type"), "lz4");
  EXPECT_EQ(effective("sticky.partitioning.linger.ms"), "0");

  // And in behaviour: acks=0 means no broker acknowledgement, so no offset comes back, while the
  // callable still chose the partitions.
  std::vector<std::int32_t> partitions;
  for (int i = 0; i < 4; ++i) {
    auto r = producer.send_sync(record(t, {}), scaled(30s));
    EXPECT_FALSE(r.error) << r.error.to_string();
    // librdkafka reports RD_KAFKA_OFFSET_INVALID (-1001) when no broker acknowledged a record.
    EXPECT_EQ(r.offset, RD_KAFKA_OFFSET_INVALID) << "acks=0 was lost";
    partitions.push_back(r.partition);
  }
  EXPECT_EQ(partitions, (std::vector<std::int32_t>{0, 1, 2, 0}));
}

}  // namespace
