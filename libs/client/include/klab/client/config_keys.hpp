#pragma once
// librdkafka configuration property names, spelled exactly as librdkafka spells them, with the
// librdkafka 2.0.2 default. Where the Java client's default differs, the comment says so.
#include <string_view>

namespace klab::client::keys {

// --- every client ---------------------------------------------------------------------------
/// Initial brokers as "host:port,host:port". No default: required.
inline constexpr std::string_view bootstrap_servers = "bootstrap.servers";
/// Client identifier sent to brokers (logs, quotas). Default "rdkafka".
inline constexpr std::string_view client_id = "client.id";
/// Comma-separated debug contexts (e.g. "broker,topic,msg" or "all"). Default: none.
inline constexpr std::string_view debug = "debug";
/// syslog level 0..7 for librdkafka's own log lines. Default 6.
inline constexpr std::string_view log_level = "log_level";
/// How often librdkafka emits its statistics JSON, in ms; 0 disables. Default 0.
inline constexpr std::string_view statistics_interval_ms = "statistics.interval.ms";
/// Default network request timeout in ms. Default 60000.
inline constexpr std::string_view socket_timeout_ms = "socket.timeout.ms";
/// Proactive metadata refresh period in ms. Default 300000.
inline constexpr std::string_view topic_metadata_refresh_interval_ms =
    "topic.metadata.refresh.interval.ms";
/// How long a producer waits for a topic missing from metadata to appear before failing its
/// records with UNKNOWN_TOPIC_OR_PART. Default 30000.
inline constexpr std::string_view topic_metadata_propagation_max_ms =
    "topic.metadata.propagation.max.ms";
/// Metadata cache max age in ms. Default 900000.
inline constexpr std::string_view metadata_max_age_ms = "metadata.max.age.ms";
/// Maximum protocol request size in bytes. Default 1000000.
inline constexpr std::string_view message_max_bytes = "message.max.bytes";
/// In-flight requests per broker connection. Default 1000000 (Java: 5).
inline constexpr std::string_view max_in_flight_requests_per_connection =
    "max.in.flight.requests.per.connection";
/// Initial reconnect backoff in ms. Default 100.
inline constexpr std::string_view reconnect_backoff_ms = "reconnect.backoff.ms";
/// Maximum reconnect backoff in ms. Default 10000 (Java: 1000).
inline constexpr std::string_view reconnect_backoff_max_ms = "reconnect.backoff.max.ms";
/// Let the broker auto-create topics this client references. Default false for consumers, true
/// for producers.
inline constexpr std::string_view allow_auto_create_topics = "allow.auto.create.topics";
/// Rack of this client, for follower fetching. Default: none.
inline constexpr std::string_view client_rack = "client.rack";
/// plaintext, ssl, sasl_plaintext or sasl_ssl. Default plaintext.
inline constexpr std::string_view security_protocol = "security.protocol";
/// GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER. Default GSSAPI.
inline constexpr std::string_view sasl_mechanism = "sasl.mechanism";
/// SASL user for PLAIN and SCRAM. Default: none.
inline constexpr std::string_view sasl_username = "sasl.username";
/// SASL password for PLAIN and SCRAM (redacted when a Config is printed). Default: none.
inline constexpr std::string_view sasl_password = "sasl.password";
/// CA certificate file or directory for verifying brokers. Default: OpenSSL's.
inline constexpr std::string_view ssl_ca_location = "ssl.ca.location";
/// librdkafka's in-process mock cluster with this many brokers (tests only). Default 0 (off).
inline constexpr std::string_view test_mock_num_brokers = "test.mock.num.brokers";

// --- producer -------------------------------------------------------------------------------
/// Acknowledgements the leader waits for: 0, 1 or all (-1). Default all (Java >= 3.0: all).
inline constexpr std::string_view acks = "acks";
/// Exactly-once, in-order writes per partition (forces acks=all). Default false (Java >= 3.0:
/// true).
inline constexpr std::string_view enable_idempotence = "enable.idempotence";
/// Time in ms to wait for more records before sending a batch. Default 5 (Java: 0).
inline constexpr std::string_view linger_ms = "linger.ms";
/// How long keyless records stay on one partition before librdkafka picks another. Default 10;
/// 0 sends every keyless record through the partitioner (Config::partitioner sets 0).
inline constexpr std::string_view sticky_partitioning_linger_ms = "sticky.partitioning.linger.ms";
/// Maximum bytes in one batch. Default 1000000 (Java: 16384).
inline constexpr std::string_view batch_size = "batch.size";
/// Maximum records in one batch. Default 10000.
inline constexpr std::string_view batch_num_messages = "batch.num.messages";
/// none, gzip, snappy, lz4 or zstd. Default none.
inline constexpr std::string_view compression_type = "compression.type";
/// Local limit in ms for delivering a record, retries included; 0 = infinite. Default 300000.
inline constexpr std::string_view message_timeout_ms = "message.timeout.ms";
/// Alias of message.timeout.ms (the Java client's name). Default 300000 (Java: 120000).
inline constexpr std::string_view delivery_timeout_ms = "delivery.timeout.ms";
/// Broker-side ack timeout in ms. Default 30000.
inline constexpr std::string_view request_timeout_ms = "request.timeout.ms";
/// How many times to retry a failing produce. Default 2147483647.
inline constexpr std::string_view retries = "retries";
/// Backoff in ms before retrying a request. Default 100.
inline constexpr std::string_view retry_backoff_ms = "retry.backoff.ms";
/// Maximum records waiting in the producer queue; 0 = no limit. Default 100000.
inline constexpr std::string_view queue_buffering_max_messages = "queue.buffering.max.messages";
/// Outstanding produce requests to a broker above which the producer stops forming new batches
/// and waits (lets batches fill). Default 1.
inline constexpr std::string_view queue_buffering_backpressure_threshold =
    "queue.buffering.backpressure.threshold";
/// Maximum KiB waiting in the producer queue. Default 1048576.
inline constexpr std::string_view queue_buffering_max_kbytes = "queue.buffering.max.kbytes";
/// Key -> partition function (consistent_random, murmur2_random = Java's, ...). Default
/// consistent_random (Java: murmur2).
inline constexpr std::string_view partitioner = "partitioner";
/// Identity of a transactional producer across restarts. Default: none (not transactional).
inline constexpr std::string_view transactional_id = "transactional.id";
/// How long the coordinator waits before aborting an open transaction, ms. Default 60000.
inline constexpr std::string_view transaction_timeout_ms = "transaction.timeout.ms";

// --- consumer -------------------------------------------------------------------------------
/// Consumer group name. No default: required by klab::client::Consumer.
inline constexpr std::string_view group_id = "group.id";
/// Static membership id. Default: none (dynamic membership).
inline constexpr std::string_view group_instance_id = "group.instance.id";
/// Where to start without a committed offset: earliest, latest or error. Default latest.
inline constexpr std::string_view auto_offset_reset = "auto.offset.reset";
/// Commit positions periodically in the background. Default true.
inline constexpr std::string_view enable_auto_commit = "enable.auto.commit";
/// Period of automatic commits in ms. Default 5000.
inline constexpr std::string_view auto_commit_interval_ms = "auto.commit.interval.ms";
/// Store each returned record's offset for the next (auto) commit. Default true.
inline constexpr std::string_view enable_auto_offset_store = "enable.auto.offset.store";
/// read_committed or read_uncommitted. Default read_committed (Java: read_uncommitted).
inline constexpr std::string_view isolation_level = "isolation.level";
/// Member is considered dead without a heartbeat for this long, ms. Default 45000.
inline constexpr std::string_view session_timeout_ms = "session.timeout.ms";
/// Heartbeat period in ms. Default 3000.
inline constexpr std::string_view heartbeat_interval_ms = "heartbeat.interval.ms";
/// Maximum time between polls before the member leaves the group, ms. Default 300000.
inline constexpr std::string_view max_poll_interval_ms = "max.poll.interval.ms";
/// range, roundrobin, cooperative-sticky (no mixing eager and cooperative). Default
/// "range,roundrobin".
inline constexpr std::string_view partition_assignment_strategy = "partition.assignment.strategy";
/// Report reaching the end of a partition as a _PARTITION_EOF event. Default false.
inline constexpr std::string_view enable_partition_eof = "enable.partition.eof";
/// Bytes the broker waits for before answering a fetch. Default 1.
inline constexpr std::string_view fetch_min_bytes = "fetch.min.bytes";
/// Maximum bytes of one fetch response. Default 52428800.
inline constexpr std::string_view fetch_max_bytes = "fetch.max.bytes";
/// Longest time the broker waits to fill fetch.min.bytes, ms. Default 500.
inline constexpr std::string_view fetch_wait_max_ms = "fetch.wait.max.ms";
/// Initial maximum bytes per partition per fetch. Default 1048576.
inline constexpr std::string_view max_partition_fetch_bytes = "max.partition.fetch.bytes";
/// Verify CRC32 of consumed records. Default false.
inline constexpr std::string_view check_crcs = "check.crcs";

}  // namespace klab::client::keys
