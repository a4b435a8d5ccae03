// 2.2 Compression: the same compressible records, stored with each codec. The figure that
// matters is the bytes the broker keeps in the log segment, read back intact.
#include <gtest/gtest.h>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::CompressionType;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int records_per_codec = 2'000;

// An order event as JSON: the repeated field names are what codecs squeeze out.
std::string payload(int i) {
  std::string s = R"({"orderId":")" + std::to_string(100000 + i) + R"(","customer":"customer-)" +
                  std::to_string(i % 50) + R"(","status":"CREATED","currency":"KRW","items":[)";
  for (int k = 0; k < 8; ++k)
    s += R"({"sku":"SKU-)" + std::to_string(k) + R"(","quantity":1,"price":12000},)";
  s.back() = ']';
  return s + "}";
}

struct CodecRun {
  std::uintmax_t stored_bytes = 0;
  double wire_ratio = 0;
};

CodecRun store_with(CompressionType codec, std::string_view name) {
  auto topic = unique_name(std::string(name));
  klab::testing::create_topic(topic, 1, 1);
  klab::client::StatsCollector stats;
  auto config = cluster().client_config();
  config.acks("all").linger_ms(50).batch_size(1'000'000).compression_type(codec);
  config.statistics_interval_ms(100).statistics_handler(stats.handler());
  {
    Producer producer(config);
    for (int i = 0; i < records_per_codec; ++i)
      EXPECT_FALSE(producer.send({.topic = topic, .value = payload(i)}));
    EXPECT_FALSE(producer.flush(scaled(60s)));
    // Statistics come once a second: wait for one that counts every record sent.
    klab::cluster::await_until(
        [&] {
          auto s = stats.latest();
          return s && s->txmsgs >= records_per_codec;
        },
        scaled(10s));
  }
  CodecRun run;
  if (auto s = stats.latest()) run.wire_ratio = s->compression_ratio();
  run.stored_bytes = klab::testing::log_segment_bytes(topic, 0);

  klab::client::Consumer consumer(
      klab::testing::consumer_config(cluster().client_config(), unique_name("g")));
  consumer.subscribe({topic});
  auto got = klab::testing::consume_n(consumer, records_per_codec, 60s);
  EXPECT_EQ(got.size(), static_cast<std::size_t>(records_per_codec)) << name;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (got[i].value() != payload(static_cast<int>(i))) {
      ADD_FAILURE() << name << ": record " << i << " came back different";
      break;
    }
  std::cout << name << ": " << run.stored_bytes << " B in the log segment\n";
  return run;
}

TEST(P2Compression, EveryCodecStoresTheSameRecordsInFewerBytesAndReadsThemBackIntact) {
  KLAB_ROADMAP("2.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // reads the segment files on the broker's disk
  auto none = store_with(CompressionType::none, "none");
  std::size_t raw = 0;
  for (int i = 0; i < records_per_codec; ++i) raw += payload(i).size();
  EXPECT_GT(none.stored_bytes, raw) << "uncompressed: the values plus record framing";

  std::cout << "codec   stored bytes   vs none\n";
  std::cout << "none    " << none.stored_bytes << "   100%\n";
  for (auto [codec, name] :
       {std::pair{CompressionType::gzip, "gzip"}, std::pair{CompressionType::snappy, "snappy"},
        std::pair{CompressionType::lz4, "lz4"}, std::pair{CompressionType::zstd, "zstd"}}) {
    auto run = store_with(codec, name);
    double pct =
        100.0 * static_cast<double>(run.stored_bytes) / static_cast<double>(none.stored_bytes);
    std::cout << name << "    " << run.stored_bytes << "   " << pct << "% (producer wire ratio "
              << run.wire_ratio << ")\n";
    EXPECT_LT(run.stored_bytes * 2, none.stored_bytes)
        << name << " should at least halve this repetitive JSON";
  }
}

}  // namespace
