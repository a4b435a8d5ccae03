#pragma once
// A builder for librdkafka client configuration: every value is checked by librdkafka the moment
// it is set, so a typo fails at the line that made it, not when the client starts.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/config_keys.hpp"
#include "klab/client/detail/handles.hpp"
#include "klab/client/error.hpp"
#include "klab/client/partitioner.hpp"
#include "klab/client/rebalance.hpp"

namespace klab::client {

/// acks: how many replicas must have a record before the leader acknowledges it.
enum class Acks { none, leader, all };  // "0", "1", "all"
enum class CompressionType { none, gzip, snappy, lz4, zstd };
/// auto.offset.reset; `none` is librdkafka's "error": polling yields _AUTO_OFFSET_RESET.
enum class OffsetReset { earliest, latest, none };
enum class IsolationLevel { read_uncommitted, read_committed };

/// Receives librdkafka's statistics JSON (see librdkafka's STATISTICS.md) every
/// statistics.interval.ms, on the thread that serves the client's events.
using StatisticsHandler = std::function<void(std::string_view json)>;
/// Receives client-level errors that belong to no single record or call (all brokers down,
/// authentication failed, a fatal idempotence error ...), on the thread that serves events.
using ErrorHandler = std::function<void(const Error&)>;

/// What OpenSSL concluded about one certificate the broker presented, as the TLS handshake
/// checks it (the CA chain first, depth 1 and up, then the broker's own, depth 0, including the
/// host name against its SAN when ssl.endpoint.identification.algorithm=https).
struct BrokerCertificateCheck {
  std::string broker;           ///< librdkafka's node name, "127.0.0.1:9102"
  std::int32_t broker_id = -1;  ///< -1 for a bootstrap connection
  int depth = 0;                ///< 0: the broker's own certificate
  int x509_error = 0;  ///< OpenSSL's X509_V_ERR_* code: 0 valid, 20 unknown issuer, 62 host name
  std::string x509_error_text;  ///< OpenSSL's text for x509_error ("ok" when 0)
};
/// Decides one certificate check: true accepts. Returning `check.x509_error == 0` keeps
/// OpenSSL's verdict (an observer); returning true for an error overrides it, which is how a
/// client ends up trusting any server. Called on librdkafka's broker threads.
using CertificateVerifier = std::function<bool(const BrokerCertificateCheck& check)>;

class Config {
 public:
  Config();
  ~Config();
  Config(const Config& other);
  Config& operator=(const Config& other);
  Config(Config&& other) noexcept;
  Config& operator=(Config&& other) noexcept;

  /// Sets any librdkafka property (global or default-topic level) by its librdkafka name.
  /// Errors: KafkaException with _INVALID_ARG naming the key, the value (redacted for secrets)
  /// and librdkafka's complaint, for an unknown key or an invalid value.
  Config& set(std::string_view key, std::string_view value);

  /// The value set on this Config, or nullopt (then librdkafka's default applies).
  /// Errors: none.
  std::optional<std::string> get(std::string_view key) const;
  /// The value librdkafka would use, defaults included (nullopt for an unknown key or a
  /// default-topic property nobody set). Errors: none.
  std::optional<std::string> effective(std::string_view key) const;

  /// Applies every value (and handler) `other` has set, overriding this Config's.
  /// Errors: none in practice (other's values were validated when set).
  Config& merge(const Config& other);

  /// Every value set, in key order. Secrets are in clear text: print redacted() instead.
  const std::map<std::string, std::string, std::less<>>& values() const noexcept { return values_; }
  /// values() with the values of keys containing "password" or "secret" replaced by "[redacted]".
  std::map<std::string, std::string, std::less<>> redacted() const;
  /// "key=value" lines of redacted(), for logs and error reports. Errors: none.
  std::string to_string() const;

  /// Loads a Java-style properties file: "key=value" (or "key: value") per line, '#' or '!'
  /// comments, blank lines; surrounding spaces trimmed; no line continuations.
  /// Errors: KafkaException _FS naming the file when it cannot be read; _INVALID_ARG naming
  /// "file:line" for a line without a separator or a key/value librdkafka rejects.
  static Config from_properties_file(const std::filesystem::path& path);
  /// Same format from text; `source` names it in error messages. Errors: as above.
  static Config from_properties(std::string_view text, std::string_view source = "properties");

  // --- typed setters: each sets the keys:: property of the same name. Errors: as set(). ----
  Config& bootstrap_servers(std::string_view servers);
  Config& client_id(std::string_view id);
  Config& group_id(std::string_view id);
  Config& acks(Acks acks);
  /// "0", "1", "all" or "-1". Errors: as set().
  Config& acks(std::string_view acks);
  Config& enable_idempotence(bool enable);
  Config& linger_ms(std::int64_t ms);
  Config& batch_size(std::int64_t bytes);
  Config& compression_type(CompressionType type);
  Config& auto_offset_reset(OffsetReset reset);
  Config& enable_auto_commit(bool enable);
  Config& enable_partition_eof(bool enable);
  Config& isolation_level(IsolationLevel level);
  Config& statistics_interval_ms(std::int64_t ms);
  Config& message_timeout_ms(std::int64_t ms);
  /// The Java name of message.timeout.ms: sets message.timeout.ms. Errors: as set().
  Config& delivery_timeout_ms(std::int64_t ms);
  Config& transactional_id(std::string_view id);
  Config& session_timeout_ms(std::int64_t ms);
  Config& heartbeat_interval_ms(std::int64_t ms);
  Config& max_poll_interval_ms(std::int64_t ms);
  /// "range", "roundrobin", "cooperative-sticky" or a comma-separated list of one protocol
  /// (eager and cooperative assignors cannot be mixed). Errors: as set().
  Config& partition_assignment_strategy(std::string_view strategies);
  /// Static membership: a restart with the same id within session.timeout.ms gets its old
  /// partitions back without a rebalance. Errors: as set().
  Config& group_instance_id(std::string_view id);
  Config& fetch_min_bytes(std::int64_t bytes);
  Config& fetch_wait_max_ms(std::int64_t ms);
  /// Comma-separated librdkafka debug contexts ("all", "broker,topic,msg", "cgrp,fetch").
  Config& debug(std::string_view contexts);
  /// syslog level 0..7 for librdkafka's log lines; 0 silences them. Errors: as set().
  Config& log_level(int level);

  /// Installed on clients created from this Config; set statistics.interval.ms too.
  /// Errors: none.
  Config& statistics_handler(StatisticsHandler handler);
  const StatisticsHandler& statistics_handler() const noexcept { return statistics_handler_; }
  /// Installed on clients created from this Config (without one, librdkafka logs such errors).
  /// Errors: none.
  Config& error_handler(ErrorHandler handler);
  const ErrorHandler& error_handler() const noexcept { return error_handler_; }
  /// Installed on clients created from this Config as librdkafka's ssl.certificate.verify_cb
  /// (with enable.ssl.certificate.verification=true, the default). Errors: none.
  Config& certificate_verifier(CertificateVerifier verifier);
  const CertificateVerifier& certificate_verifier() const noexcept { return certificate_verifier_; }
  /// Consumers created from this Config report assignments and revocations to `listener`
  /// (see RebalanceListener); producers ignore it. Errors: none.
  Config& rebalance_listener(RebalanceListener listener);
  const RebalanceListener& rebalance_listener() const noexcept { return rebalance_listener_; }

  /// Producers created from this Config choose the partition of every record sent without an
  /// explicit partition by calling `partitioner` (librdkafka's partitioner_cb on the default
  /// topic conf; topic-level properties set before or after survive).
  /// It also sets sticky.partitioning.linger.ms=0: with a custom partitioner and a value > 0
  /// (librdkafka's default is 10), librdkafka sends null-key records to its own sticky
  /// partitioner and never asks the callable. Setting that key > 0 afterwards restores exactly
  /// that bypass. Consumers ignore the partitioner (and log that the linger key is a producer
  /// property).
  /// A result outside [0, partition_count) fails the record with _UNKNOWN_PARTITION: send()
  /// returns it when the producer already had the topic's metadata; otherwise (the topic's
  /// first records, parked until metadata arrives) the delivery report carries it. -1 is
  /// treated as out of range too, not as librdkafka's "unassigned" (which would park the record
  /// until it timed out). An exception thrown by the callable is caught (logged through
  /// klab::client::log once per producer) and fails the record the same way, rather than routing it
  /// silently. An empty `partitioner` restores librdkafka's own (sticky.partitioning.linger.ms
  /// stays 0). Errors: none.
  Config& partitioner(Partitioner partitioner);
  const Partitioner& partitioner() const noexcept { return partitioner_; }

  /// A fresh librdkafka conf holding every value, for rd_kafka_new (which takes ownership on
  /// success). Errors: none (std::bad_alloc aside).
  detail::ConfPtr native_copy() const;

 private:
  detail::ConfPtr conf_;
  std::map<std::string, std::string, std::less<>> values_;
  StatisticsHandler statistics_handler_;
  ErrorHandler error_handler_;
  CertificateVerifier certificate_verifier_;
  Partitioner partitioner_;
  RebalanceListener rebalance_listener_;
};

/// Whether printing this key's value would leak a secret ("password" or "secret" in its name).
bool is_secret_key(std::string_view key);

}  // namespace klab::client
