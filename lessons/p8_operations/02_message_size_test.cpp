// 8.3.1 Message size: the limits on each side and the error at each boundary, what each
// codec saves on realistic JSON, and the claim-check pattern for payloads beyond every limit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

std::string bytes_of(std::size_t n, unsigned seed = 7) {
  std::mt19937 random(seed);  // incompressible, so sizes are what is sent
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(random());
  return s;
}

klab::client::Config producer_config(std::int64_t message_max_bytes) {
  auto config = cluster().client_config().acks("all");
  config.set("message.max.bytes", std::to_string(message_max_bytes));
  return config;
}

klab::Error delivery_error(const std::string& topic, std::size_t size,
                           std::int64_t producer_limit) {
  klab::client::Producer producer(producer_config(producer_limit));
  try {
    return producer.send_sync({.topic = topic, .value = bytes_of(size)}, scaled(30s)).error;
  } catch (const klab::KafkaException& e) {
    return e.error();  // refused by send() itself
  }
}

TEST(P8MessageSize, EachLimitRefusesARecordAboveItWithMsgSizeTooLargeAndATopicOverrideRaisesIt) {
  KLAB_ROADMAP("8.3.1");
  auto topic = unique_name("size");
  klab::testing::create_topic(topic, 1, 1);

  // The client's own limit (librdkafka message.max.bytes, Java max.request.size): refused
  // before anything leaves the process.
  auto client = delivery_error(topic, 1'500'000, 1'000'000);
  EXPECT_EQ(client.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << client.to_string();
  // The broker's message.max.bytes (1,048,588 by default), with the client's limit raised.
  auto broker = delivery_error(topic, 1'500'000, 4'000'000);
  EXPECT_EQ(broker.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) << broker.to_string();

  // The topic's max.message.bytes overrides the broker's, both ways.
  klab::client::Admin admin(cluster().client_config());
  admin.alter_topic_config(topic, {{"max.message.bytes", "2000000"}}, scaled(30s));
  EXPECT_TRUE(klab::cluster::await_until(
      [&] { return !delivery_error(topic, 1'500'000, 4'000'000); }, scaled(30s), 500ms))
      << "1.5 MB lands once the topic allows 2 MB";
  admin.alter_topic_config(topic, {{"max.message.bytes", "10240"}}, scaled(30s));
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        return delivery_error(topic, 50'000, 1'000'000) == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE;
      },
      scaled(30s), 500ms))
      << "50 KB is refused once the topic allows 10 KB";
  std::cout << "client limit: " << client.to_string() << "\nbroker limit: " << broker.to_string()
            << "\n";
}

TEST(P8MessageSize, AFetchSizeSmallerThanARecordStillReturnsItSoTheConsumerNeverSticks) {
  KLAB_ROADMAP("8.3.1");
  auto topic = unique_name("fetch");
  klab::testing::create_topic(topic, 1, 1, {{"max.message.bytes", "2000000"}});
  auto payload = bytes_of(1'500'000);
  klab::client::Producer producer(producer_config(4'000'000));
  ASSERT_FALSE(producer.send_sync({.topic = topic, .value = payload}, scaled(30s)).error);

  auto config = cluster().client_config();
  // librdkafka insists fetch.max.bytes >= its message.max.bytes, so both go down to the minimum.
  config.set("max.partition.fetch.bytes", "1024")
      .set("message.max.bytes", "1000")
      .set("fetch.max.bytes", "1024");
  std::size_t read = 0;
  klab::client::read_to_end(config, topic, [&](const klab::client::Record& r) {
    ++read;
    EXPECT_EQ(r.value()->size(), payload.size());
  });
  EXPECT_EQ(read, 1u) << "the broker returns the first batch whole even above the fetch sizes";
}

// Orders as a shop would write them: the same field names every time, values that vary.
std::string order_json(int i) {
  static const char* tiers[] = {"gold", "silver", "bronze"};
  static const char* statuses[] = {"CREATED", "PAID", "SHIPPED", "DELIVERED"};
  std::string items;
  for (int k = 0; k < 1 + i % 4; ++k)
    items += std::string(k ? "," : "") + "{\"sku\":\"SKU-" +
             std::to_string(1000 + (i * 7 + k) % 500) +
             "\",\"qty\":" + std::to_string(1 + (i + k) % 5) +
             ",\"price\":" + std::to_string(5 + (i * 13 + k) % 200) + "." +
             std::to_string(10 + i % 89) + "}";
  return "{\"orderId\":\"ord-" + std::to_string(100000 + i) + "\",\"customer\":{\"id\":\"cust-" +
         std::to_string(i % 997) + "\",\"tier\":\"" + tiers[i % 3] + "\",\"email\":\"user" +
         std::to_string(i % 997) + "@example.com\"},\"items\":[" + items + "],\"status\":\"" +
         statuses[i % 4] + "\",\"createdAt\":\"2026-12-07T10:" + std::to_string(10 + i % 50) + ":" +
         std::to_string(10 + i % 49) + "Z\",\"channel\":\"web\",\"currency\":\"KRW\"}";
}

TEST(P8MessageSize, EveryCodecStoresRealisticJsonInLessThanHalfTheBytesOfNone) {
  KLAB_ROADMAP("8.3.1");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // sizes are read from the node's log files
  constexpr int records = 5000;
  std::size_t json_bytes = 0;
  for (int i = 0; i < records; ++i) json_bytes += order_json(i).size();
  std::map<std::string, std::uintmax_t> stored;
  for (std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    auto topic = unique_name(codec);
    klab::testing::create_topic(topic, 1, 1);
    auto config = cluster().client_config().acks("all").linger_ms(50);
    config.set("compression.type", codec);
    klab::client::Producer producer(config);
    for (int i = 0; i < records; ++i)
      ASSERT_FALSE(producer.send({.topic = topic, .value = order_json(i)}));
    ASSERT_FALSE(producer.flush(scaled(60s)));
    stored[codec] = klab::testing::log_segment_bytes(topic, 0);
  }
  std::cout << records << " JSON orders, " << json_bytes << " bytes of values\n";
  for (const auto& [codec, bytes] : stored)
    std::cout << "  " << codec << ": " << bytes << " bytes on disk ("
              << static_cast<double>(stored["none"]) / bytes << "x)\n";
  EXPECT_GT(stored["none"], json_bytes) << "uncompressed batches carry the values and more";
  for (const auto& [codec, bytes] : stored)
    if (codec != "none") EXPECT_LT(bytes * 2, stored["none"]) << codec;
}

TEST(P8MessageSize, AClaimCheckCarriesAPayloadNoLimitAdmitsAsASmallReference) {
  KLAB_ROADMAP("8.3.1");
  auto topic = unique_name("claims");
  klab::testing::create_topic(topic, 1, 1);
  auto payload = bytes_of(5'000'000, 11);
  auto direct = delivery_error(topic, payload.size(), 1'000'000);
  EXPECT_EQ(direct.code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);

  // The payload goes to a store (a folder here; object storage in production) under a name of
  // its own; the record carries the reference and the size to check it by.
  auto store = std::filesystem::temp_directory_path() / topic;
  std::filesystem::create_directories(store);
  auto object = store / "payload-1.bin";
  std::ofstream(object, std::ios::binary) << payload;
  auto reference =
      "{\"claim\":\"" + object.string() + "\",\"bytes\":" + std::to_string(payload.size()) + "}";
  klab::client::Producer producer(producer_config(1'000'000));
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = "doc-1", .value = reference}, scaled(30s)).error);

  std::string fetched;
  std::size_t record_size = 0;
  klab::client::read_to_end(cluster().client_config(), topic, [&](const klab::client::Record& r) {
    std::string value(*r.value());
    record_size = value.size();
    auto path = value.substr(10, value.find("\",") - 10);
    std::ifstream in(path, std::ios::binary);
    fetched.assign(std::istreambuf_iterator<char>(in), {});
  });
  std::filesystem::remove_all(store);
  std::cout << "claim check: a " << record_size << "-byte record for a " << payload.size()
            << "-byte payload\n";
  EXPECT_LT(record_size, 1024u);
  EXPECT_TRUE(fetched == payload) << "the consumer rebuilt " << fetched.size() << " bytes";
}

}  // namespace
