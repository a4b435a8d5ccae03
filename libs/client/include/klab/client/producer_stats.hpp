#pragma once
// The numbers a producer benchmark needs from librdkafka's statistics JSON (STATISTICS.md),
// parsed into plain structs, and a thread-safe collector to install as the statistics handler.
//
// librdkafka emits one JSON document every statistics.interval.ms. Counters ("tx", "txmsgs")
// grow for the life of the client; gauges ("msg_cnt", "waitresp_cnt") are a snapshot at emit
// time; window stats (rtt, int_latency, batchsize ...) cover only the interval since the
// previous emit, so a sample taken after the producer went idle has cnt == 0 and zeros.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/sample_collector.hpp"

namespace klab::client {

/// librdkafka's rolling window stats (microseconds for latencies, bytes/counts for sizes).
/// Percentiles come from an HDR histogram, so they are rounded up to its bucket edges.
struct WindowStats {
  std::int64_t min = 0, max = 0, avg = 0, sum = 0, cnt = 0;
  std::int64_t p50 = 0, p75 = 0, p90 = 0, p95 = 0, p99 = 0, p99_99 = 0;
};

/// One broker connection ("brokers" entry) of the client, producer or consumer.
struct BrokerStats {
  std::string name;  ///< "host:port/node_id"
  std::int32_t node_id = -1;
  std::string state;                  ///< "UP", "DOWN", "CONNECT", "APIVERSION_QUERY" ...
  std::int64_t tx = 0;                ///< requests sent (every kind)
  std::int64_t txretries = 0;         ///< requests retried
  std::int64_t txerrs = 0;            ///< transmission errors
  std::int64_t produce_requests = 0;  ///< req["Produce"]: Produce requests sent
  std::int64_t fetch_requests = 0;    ///< req["Fetch"]: Fetch requests sent (consumers only)
  std::int64_t waitresp_cnt = 0;      ///< requests in flight awaiting a response (gauge)
  std::int64_t outbuf_cnt = 0;        ///< requests queued, not yet written to the socket (gauge)
  WindowStats rtt;                    ///< request round trip as the client sees it (us)
  WindowStats int_latency;            ///< time a record waited in the producer queue (us)
  WindowStats outbuf_latency;         ///< time a request waited before its socket write (us)
};

/// One partition of a topic the producer writes to.
struct PartitionStats {
  std::int32_t partition = -1;
  std::int64_t txmsgs = 0;    ///< records put into Produce requests
  std::int64_t txbytes = 0;   ///< their key + value bytes, before compression
  std::int64_t msgq_cnt = 0;  ///< records waiting in the partition's first-level queue (gauge)
  /// Records in the broker thread's transmit queue. librdkafka 2.0.2 always reports 0 (the
  /// queue belongs to the broker thread; see the FIXME in rdkafka.c), kept for later versions.
  std::int64_t xmit_msgq_cnt = 0;
};

struct TopicStats {
  std::string name;
  WindowStats batchsize;  ///< bytes per record batch as written to a request, after compression
  WindowStats batchcnt;   ///< records per record batch
  /// Real partitions only, sorted by id; librdkafka's internal unassigned partition (-1) is
  /// left out.
  std::vector<PartitionStats> partitions;
};

/// One statistics sample of a producer.
struct ProducerStats {
  std::int64_t ts_us = 0;        ///< "ts": librdkafka's monotonic clock (us), orders samples
  std::int64_t msg_cnt = 0;      ///< records in the producer's queues, in flight included (gauge)
  std::int64_t msg_size = 0;     ///< their bytes (gauge)
  std::int64_t txmsgs = 0;       ///< records put into Produce requests
  std::int64_t txmsg_bytes = 0;  ///< their key + value bytes, before compression
  std::int64_t tx = 0;           ///< requests sent to all brokers (every kind)
  /// Bytes written to all broker sockets: every request (metadata, ApiVersion ...) with its
  /// headers and batch framing, after compression.
  std::int64_t tx_bytes = 0;
  std::int64_t txretries = 0;  ///< sum of the brokers' txretries (no top-level field exists)
  /// Real brokers only (node_id >= 0), sorted by node id; bootstrap entries (node id -1, e.g.
  /// "localhost:9092/bootstrap" when the brokers advertise another name) and a transactional
  /// producer's logical "TxnCoordinator" entry are left out.
  std::vector<BrokerStats> brokers;
  std::vector<TopicStats> topics;  ///< sorted by name

  /// Sum of the brokers' produce_requests. Errors: none.
  std::int64_t produce_requests() const;
  /// Sum of the brokers' waitresp_cnt: requests awaiting a response right now. Errors: none.
  std::int64_t in_flight() const;
  /// txmsg_bytes / tx_bytes: payload bytes per byte on the wire; above 1 the wire carried less
  /// than the payload (compression), below 1 framing and other requests outweigh it (small
  /// uncompressed records). 0 when nothing was sent. Errors: none.
  double compression_ratio() const;
  /// txmsgs / produce_requests(): how well linger.ms and batch.size filled each request.
  /// 0 when no Produce request was sent. Errors: none.
  double avg_records_per_request() const;

  /// Parses one statistics JSON document of a producer (librdkafka 2.0.2's layout).
  /// A broker's req["Produce"] may be absent (librdkafka omits it for consumers): then 0.
  /// Errors: KafkaException _BAD_MSG naming the missing or odd field (e.g.
  /// `brokers["b:9092/1"].rtt.p99`), or saying the text is not JSON.
  static ProducerStats parse(std::string_view json);
};

/// Thread-safe sink for Config::statistics_handler: keeps the latest sample and running maxima.
/// Copies share one state, so a copy captured by the handler and the one you read agree.
///
///   StatsCollector stats;
///   config.statistics_handler(stats.handler()).statistics_interval_ms(1000);
/// The largest values any sample showed: gauges and window stats cover one moment or interval
/// each, so the last sample alone can miss them.
struct ProducerSummary {
  std::int64_t max_in_flight = 0;
  std::int64_t max_batch_bytes = 0;
  void update(const ProducerStats& stats);
};

class StatsCollector : public SampleCollector<ProducerStats, ProducerSummary> {
 public:
  /// The largest in_flight() of any sample. waitresp_cnt is a gauge read at emit time, so this
  /// is the largest value seen, not necessarily the largest that happened. Errors: none.
  std::int64_t max_in_flight() const { return summary().max_in_flight; }
  /// The largest batch (bytes, after compression) any topic's batchsize window held in any
  /// sample: window stats cover one interval each, so the last sample alone may be empty.
  /// Errors: none.
  std::int64_t max_batch_bytes() const { return summary().max_batch_bytes; }
};

}  // namespace klab::client
