#pragma once
// Creating an rd_kafka_t from a Config, with the Config's handlers wired to librdkafka.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <string>

#include "klab/client/config.hpp"
#include "klab/client/detail/handles.hpp"
#include "klab/client/log.hpp"

namespace klab::client::detail {

/// What librdkafka's callbacks reach through the handle's opaque pointer (and, for the
/// partitioner, the default topic conf's opaque); it must outlive the handle.
struct Callbacks {
  StatisticsHandler statistics;
  ErrorHandler error;
  CertificateVerifier certificate_verifier;
  Partitioner partitioner;
  std::atomic<bool> partitioner_threw{false};  // print the first exception only, not one per record
  /// A consumer's rebalance_cb target; the consumer installs rebalance_cb itself (customize).
  std::function<void(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*)> rebalance;
};

/// Runs a user callback from a librdkafka callback: an exception must not unwind through C.
template <typename F>
void guarded(const char* what, F&& f) noexcept {
  try {
    f();
  } catch (const std::exception& e) {
    log(LogLevel::error, "klab::client", std::string(what) + " threw (ignored): " + e.what());
  } catch (...) {
    log(LogLevel::error, "klab::client", std::string(what) + " threw a non-exception (ignored)");
  }
}

/// librdkafka's log_cb for every handle: its lines go to klab::client::log() as
/// "<instance> <facility>". Errors: none.
void route_log(const rd_kafka_t* rk, int level, const char* facility, const char* line);

/// Creates a handle of `type` from `config`, its librdkafka log routed to klab::client::log();
/// `customize` adjusts the conf copy last (e.g. the producer's delivery callback). Errors:
/// KafkaException with _INVALID_ARG carrying librdkafka's reason (it names the offending key, e.g.
/// an acks/idempotence conflict).
HandlePtr make_handle(rd_kafka_type_t type, const Config& config, Callbacks& callbacks,
                      const std::function<void(rd_kafka_conf_t*)>& customize = {});

/// Milliseconds for librdkafka's int timeouts, clamped to what an int holds.
int to_ms(std::chrono::milliseconds timeout) noexcept;

}  // namespace klab::client::detail
