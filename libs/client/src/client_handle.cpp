#include "client_handle.hpp"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <climits>
#include <cstdio>

namespace klab::client::detail {
namespace {

int on_statistics(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* cb = static_cast<Callbacks*>(opaque);
  if (cb && cb->statistics)
    guarded("statistics handler", [&] { cb->statistics(std::string_view(json, len)); });
  return 0;  // librdkafka frees the JSON
}

void on_error(rd_kafka_t* rk, int code, const char* reason, void* opaque) {
  auto* cb = static_cast<Callbacks*>(opaque);
  if (!cb || !cb->error) return;
  auto err = static_cast<rd_kafka_resp_err_t>(code);
  Error e = err == RD_KAFKA_RESP_ERR__FATAL ? Error::fatal_error_of(rk)
                                            : Error(err, reason ? reason : rd_kafka_err2str(err));
  guarded("error handler", [&] { cb->error(e); });
}

int on_certificate(rd_kafka_t*, const char* broker_name, std::int32_t broker_id, int* x509_error,
                   int depth, const char*, size_t, char* errstr, size_t errstr_size, void* opaque) {
  auto* cb = static_cast<Callbacks*>(opaque);
  if (!cb || !cb->certificate_verifier) return *x509_error == 0;
  BrokerCertificateCheck check{broker_name ? broker_name : "", broker_id, depth, *x509_error,
                               X509_verify_cert_error_string(*x509_error)};
  bool accept = false;
  guarded("certificate verifier", [&] { accept = cb->certificate_verifier(check); });
  if (accept) {
    *x509_error = 0;  // an accepted certificate clears OpenSSL's complaint
    return 1;
  }
  std::snprintf(errstr, errstr_size, "%s (X509 error %d at depth %d)",
                check.x509_error_text.c_str(), check.x509_error, depth);
  return 0;
}

void report_partitioner_exception(Callbacks& cb, const char* what) noexcept {
  // The first one only: a broken partitioner would otherwise print once per record.
  if (cb.partitioner_threw.exchange(true)) return;
  log(LogLevel::error, "klab::client",
      std::string("partitioner threw: ") + what +
          " (the record fails with _UNKNOWN_PARTITION; later throws are not printed)");
}

LogLevel level_of(int syslog_level) {
  if (syslog_level <= 3) return LogLevel::error;
  if (syslog_level == 4) return LogLevel::warning;
  if (syslog_level == 5) return LogLevel::notice;
  if (syslog_level == 6) return LogLevel::info;
  return LogLevel::debug;
}

// librdkafka passes the default topic conf's opaque as rkt_opaque and calls this under the
// topic's read lock. It fails a result >= partition_cnt with _UNKNOWN_PARTITION but takes -1 as
// "unassigned" and parks the record until message.timeout.ms, so every bad result and every
// exception becomes partition_cnt: the send fails loudly instead of routing somewhere silently.
std::int32_t on_partition(const rd_kafka_topic_t* rkt, const void* key, size_t key_len,
                          std::int32_t partition_cnt, void* rkt_opaque, void*) {
  auto* cb = static_cast<Callbacks*>(rkt_opaque);
  const std::int32_t failed = partition_cnt;
  if (!cb || !cb->partitioner) return failed;
  PartitionerInput input{rd_kafka_topic_name(rkt), std::nullopt, partition_cnt};
  if (key) input.key.emplace(static_cast<const char*>(key), key_len);
  try {
    auto p = cb->partitioner(input);
    return p >= 0 && p < partition_cnt ? p : failed;
  } catch (const std::exception& e) {
    report_partitioner_exception(*cb, e.what());
  } catch (...) {
    report_partitioner_exception(*cb, "a non-exception");
  }
  return failed;
}

// Installs on_partition on the conf's default topic conf, creating it only when absent: a
// topic-level property set through rd_kafka_conf_set (acks, message.timeout.ms ...) lives in that
// topic conf, and replacing it would drop them.
void install_partitioner(rd_kafka_conf_t* conf, Callbacks& callbacks) {
  rd_kafka_topic_conf_t* tconf = rd_kafka_conf_get_default_topic_conf(conf);
  if (!tconf) {
    tconf = rd_kafka_topic_conf_new();
    rd_kafka_conf_set_default_topic_conf(conf, tconf);  // conf owns it now
  }
  rd_kafka_topic_conf_set_partitioner_cb(tconf, on_partition);
  rd_kafka_topic_conf_set_opaque(tconf, &callbacks);
}

}  // namespace

void route_log(const rd_kafka_t* rk, int level, const char* facility, const char* line) {
  std::string source = rk ? rd_kafka_name(rk) : "rdkafka";
  if (facility && *facility) source.append(" ").append(facility);
  log(level_of(level), source, line ? line : "");
}

HandlePtr make_handle(rd_kafka_type_t type, const Config& config, Callbacks& callbacks,
                      const std::function<void(rd_kafka_conf_t*)>& customize) {
  callbacks.statistics = config.statistics_handler();
  callbacks.error = config.error_handler();
  callbacks.certificate_verifier = config.certificate_verifier();
  if (type == RD_KAFKA_PRODUCER) callbacks.partitioner = config.partitioner();
  auto conf = config.native_copy();
  rd_kafka_conf_set_opaque(conf.get(), &callbacks);
  rd_kafka_conf_set_log_cb(conf.get(), route_log);
  // Only with a handler: without error_cb librdkafka logs the errors instead of queueing them.
  if (callbacks.statistics) rd_kafka_conf_set_stats_cb(conf.get(), on_statistics);
  if (callbacks.error) rd_kafka_conf_set_error_cb(conf.get(), on_error);
  if (callbacks.certificate_verifier &&
      rd_kafka_conf_set_ssl_cert_verify_cb(conf.get(), on_certificate) != RD_KAFKA_CONF_OK)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "this librdkafka was built without SSL: no certificate verifier"));
  if (callbacks.partitioner) install_partitioner(conf.get(), callbacks);
  if (customize) customize(conf.get());
  char reason[512] = "";
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), reason, sizeof reason);
  if (!rk) {
    const char* kind = type == RD_KAFKA_PRODUCER ? "producer" : "consumer";
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               std::string("cannot create the ") + kind + ": " + reason));
  }
  conf.release();  // rd_kafka_new owns it now
  return HandlePtr(rk);
}

int to_ms(std::chrono::milliseconds timeout) noexcept {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX));
}

}  // namespace klab::client::detail
