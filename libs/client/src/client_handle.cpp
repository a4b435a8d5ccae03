#include "client_handle.hpp"

#include <algorithm>
#include <climits>

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

}  // namespace

HandlePtr make_handle(rd_kafka_type_t type, const Config& config, Callbacks& callbacks,
                      const std::function<void(rd_kafka_conf_t*)>& customize) {
  callbacks.statistics = config.statistics_handler();
  callbacks.error = config.error_handler();
  auto conf = config.native_copy();
  rd_kafka_conf_set_opaque(conf.get(), &callbacks);
  // Only with a handler: without error_cb librdkafka logs the errors instead of queueing them.
  if (callbacks.statistics) rd_kafka_conf_set_stats_cb(conf.get(), on_statistics);
  if (callbacks.error) rd_kafka_conf_set_error_cb(conf.get(), on_error);
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
