// 7.1.1 Producer tuning: batch.size, linger.ms, compression.type and max.in.flight, each
// counted on the broker and in librdkafka's statistics for the same records. Throughput and
// latency for the whole grid are in bench/reports/producer_sweep.md (bench/producer_sweep.sh);
// here only what the settings decide for certain is asserted.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/producer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::CompressionType;
using klab::client::Producer;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int records = 10'000;
// Longer than any send loop on a loaded machine: a batch leaves only when batch.size is full
// (or at flush()), so the counts below depend on the settings, not on the machine's speed.
constexpr std::int64_t linger_ms = 60'000;

// A user-activity event as JSON: field names and values repeat across records, as in most
// real topics, so a codec finds more to share the more records one batch holds.
std::string activity_event(int i) {
  static const char* pages[] = {"/home", "/products/42", "/cart", "/checkout", "/search?q=kafka"};
  return R"({"eventId":")" + std::to_string(500000 + i) + R"(","userId":"user-)" +
         std::to_string(i % 97) + R"(","type":"page_view","page":")" + pages[i % 5] +
         R"(","device":"mobile","appVersion":"3.14.1","country":"KR"})";
}

struct TuningRun {
  std::int64_t batch_size = 0;
  std::string codec;
  std::int64_t produce_requests = 0;
  double records_per_request = 0;
  std::int64_t largest_batch_bytes = 0;
  std::int64_t max_in_flight = 0;
  std::uintmax_t bytes_on_disk = 0;
};

std::ostream& operator<<(std::ostream& os, const TuningRun& r) {
  return os << "batch.size=" << r.batch_size << " compression.type=" << r.codec << ": "
            << r.produce_requests << " produce requests, " << r.records_per_request
            << " records/request, largest batch " << r.largest_batch_bytes << " B, "
            << r.bytes_on_disk << " B on disk, at most " << r.max_in_flight << " in flight";
}

// Sends the same `records` events to a fresh 1-partition topic with these settings and counts.
TuningRun produce(std::int64_t batch_size, CompressionType codec, std::string codec_name,
                  int max_in_flight = 5) {
  auto topic = unique_name("tuning");
  klab::testing::create_topic(topic, 1, 1);
  klab::client::StatsCollector stats;
  auto config = cluster().client_config();
  config.acks("all").linger_ms(linger_ms).batch_size(batch_size).compression_type(codec);
  config.set("max.in.flight.requests.per.connection", std::to_string(max_in_flight));
  config.statistics_interval_ms(100).statistics_handler(stats.handler());
  Producer producer(config);
  producer.partitions_for(topic, scaled(30s));  // metadata before the first send
  for (int i = 0; i < records; ++i)
    EXPECT_FALSE(producer.send({.topic = topic, .value = activity_event(i)}));
  EXPECT_FALSE(producer.flush(scaled(60s)));
  // Statistics come every 100 ms: wait for a sample that counts every record.
  EXPECT_TRUE(klab::cluster::await_until(
      [&] {
        auto s = stats.latest();
        return s && s->txmsgs >= records;
      },
      scaled(10s)));
  klab::client::Admin admin(cluster().client_config());
  EXPECT_EQ(admin.watermark_offsets(topic, 0, scaled(10s)).high, records) << "all delivered";
  TuningRun run{.batch_size = batch_size, .codec = std::move(codec_name)};
  if (auto s = stats.latest()) {
    run.produce_requests = s->produce_requests();
    run.records_per_request = s->avg_records_per_request();
  }
  run.largest_batch_bytes = stats.max_batch_bytes();
  run.max_in_flight = stats.max_in_flight();
  run.bytes_on_disk = klab::testing::log_segment_bytes(topic, 0);
  std::cout << run << '\n';
  return run;
}

TEST(P7ProducerTuning, BatchSizeAloneDecidesHowManyRecordsShareAProduceRequest) {
  KLAB_ROADMAP("7.1.1");
  auto small = produce(16 * 1024, CompressionType::none, "none");
  auto medium = produce(64 * 1024, CompressionType::none, "none");
  auto large = produce(256 * 1024, CompressionType::none, "none");
  for (const auto* r : {&small, &medium, &large}) {
    // librdkafka's batch.size caps a batch, framing included: no batch is ever larger.
    EXPECT_LE(r->largest_batch_bytes, r->batch_size) << *r;
    EXPECT_GT(r->largest_batch_bytes, r->batch_size / 2) << "batches leave full, not early";
  }
  // One partition, so one batch per request: 4x the batch size, about 4x the records each.
  EXPECT_GT(medium.records_per_request, 3 * small.records_per_request) << small << "\n" << medium;
  EXPECT_GT(large.records_per_request, 3 * medium.records_per_request) << medium << "\n" << large;
  EXPECT_LT(large.produce_requests, small.produce_requests / 10) << small << "\n" << large;
  // Uncompressed, the same records take the same bytes on disk however they were batched, give
  // or take the 61-byte header of each batch.
  auto headers = [](const TuningRun& r) {
    return static_cast<std::uintmax_t>(r.produce_requests) * 61;
  };
  EXPECT_NEAR(static_cast<double>(small.bytes_on_disk - headers(small)),
              static_cast<double>(large.bytes_on_disk - headers(large)),
              0.01 * static_cast<double>(large.bytes_on_disk))
      << small << "\n"
      << large;
}

TEST(P7ProducerTuning, BiggerBatchesCompressTheSameRecordsIntoFewerBytesOnDisk) {
  KLAB_ROADMAP("7.1.1");
  auto plain = produce(256 * 1024, CompressionType::none, "none");
  auto lz4_small = produce(16 * 1024, CompressionType::lz4, "lz4");
  auto lz4_large = produce(256 * 1024, CompressionType::lz4, "lz4");
  auto zstd_small = produce(16 * 1024, CompressionType::zstd, "zstd");
  auto zstd_large = produce(256 * 1024, CompressionType::zstd, "zstd");
  for (const auto* r : {&lz4_small, &lz4_large, &zstd_small, &zstd_large})
    EXPECT_LT(r->bytes_on_disk, plain.bytes_on_disk / 2) << *r << "\nvs " << plain;
  // A codec sees one batch at a time: the larger the batch, the more repetition it can share.
  EXPECT_LT(lz4_large.bytes_on_disk, lz4_small.bytes_on_disk) << lz4_small << "\n" << lz4_large;
  EXPECT_LT(zstd_large.bytes_on_disk, zstd_small.bytes_on_disk) << zstd_small << "\n" << zstd_large;
  std::cout << "bytes on disk per record: none " << plain.bytes_on_disk / records << ", lz4 "
            << lz4_small.bytes_on_disk / records << " -> " << lz4_large.bytes_on_disk / records
            << ", zstd " << zstd_small.bytes_on_disk / records << " -> "
            << zstd_large.bytes_on_disk / records << " (16 KiB -> 256 KiB batches)\n";
}

TEST(P7ProducerTuning, MaxInFlightOneNeverHasASecondRequestAwaitingItsResponse) {
  KLAB_ROADMAP("7.1.1");
  // Small batches, so there are always more ready than one request can carry.
  auto one = produce(16 * 1024, CompressionType::none, "none", 1);
  EXPECT_GT(one.produce_requests, 50) << one;
  EXPECT_LE(one.max_in_flight, 1) << "max.in.flight.requests.per.connection=1: " << one;
}

}  // namespace
