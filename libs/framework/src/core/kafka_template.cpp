#include "klab/framework/core/kafka_template.hpp"

#include <exception>

#include "klab/client/log.hpp"

namespace klab::framework::detail {
namespace {

// A listener that throws must not stop the send's own future or callback from completing.
template <typename Fn>
void call_listener(const char* which, Fn&& fn) noexcept {
  try {
    fn();
  } catch (const std::exception& e) {
    client::log(client::LogLevel::error, "klab::framework",
                std::string("ProducerListener::") + which + " threw: " + e.what());
  } catch (...) {
    client::log(client::LogLevel::error, "klab::framework",
                std::string("ProducerListener::") + which + " threw a non-exception");
  }
}

void notify(const ProducerListener* listener, const client::ProducerRecord& record,
            const client::DeliveryReport& report) {
  if (!listener) return;
  if (!report.error) {
    if (listener->on_success)
      call_listener("on_success", [&] { listener->on_success(record, report); });
  } else if (listener->on_error) {
    call_listener("on_error", [&] { listener->on_error(record, report.error); });
  }
}

}  // namespace

TemplateCore::TemplateCore(const client::Config& config) : producer_(config) {}

void TemplateCore::set_producer_listener(ProducerListener listener) {
  listener_ = std::make_shared<const ProducerListener>(std::move(listener));
}

Error TemplateCore::send(client::ProducerRecord record, client::DeliveryCallback callback) {
  auto listener = listener_;
  if (!listener) return producer_.send(std::move(record), std::move(callback));

  // The listener wants the record with its outcome, but send() consumes it: keep a copy
  // alive until the report arrives. Only paid for when a listener is set.
  auto kept = std::make_shared<const client::ProducerRecord>(record);
  auto err = producer_.send(std::move(record), [listener, kept, callback = std::move(callback)](
                                                   const client::DeliveryReport& report) {
    notify(listener.get(), *kept, report);
    if (callback) callback(report);
  });
  if (err) refuse(*kept, err);
  return err;
}

std::future<client::DeliveryReport> TemplateCore::send_future(client::ProducerRecord record) {
  // std::function must be copyable, std::promise is not: share it.
  auto promise = std::make_shared<std::promise<client::DeliveryReport>>();
  auto future = promise->get_future();
  client::ProducerRecord partial{.topic = record.topic, .partition = record.partition};
  auto err = send(std::move(record),
                  [promise](const client::DeliveryReport& report) { promise->set_value(report); });
  if (err) return refused_future(partial, std::move(err));
  return future;
}

void notify_refused(const ProducerListener* listener, const client::ProducerRecord& partial,
                    const Error& error) noexcept {
  if (!listener || !listener->on_error) return;
  call_listener("on_error", [&] { listener->on_error(partial, error); });
}

void TemplateCore::refuse(const client::ProducerRecord& partial, const Error& error) const {
  notify_refused(listener_.get(), partial, error);
}

std::future<client::DeliveryReport> TemplateCore::refused_future(
    const client::ProducerRecord& partial, Error error) {
  client::DeliveryReport report;
  report.topic = partial.topic;
  report.partition = partial.partition.value_or(-1);
  report.key = partial.key;
  report.error = std::move(error);
  report.status = client::PersistenceStatus::not_persisted;
  std::promise<client::DeliveryReport> promise;
  promise.set_value(std::move(report));
  return promise.get_future();
}

Error TemplateCore::begin_transaction(std::chrono::milliseconds timeout) {
  {
    // Lazily, so templates that never use transactions need no coordinator round trip.
    std::lock_guard lock(txn_mutex_);
    if (!txn_initialized_) {
      if (auto err = producer_.init_transactions(timeout)) return err;
      txn_initialized_ = true;
    }
  }
  return producer_.begin_transaction();
}

Error TemplateCore::commit_transaction(std::chrono::milliseconds timeout) {
  auto err = producer_.commit_transaction(timeout);
  // librdkafka allows repeating a commit that timed out; once is enough for a lab.
  if (err && err.retriable() && !err.txn_requires_abort() && !err.fatal())
    err = producer_.commit_transaction(timeout);
  // Leave no half-open transaction behind, or every later begin would fail with _STATE.
  if (err && !err.fatal()) abort_quietly(timeout);
  return err;
}

void TemplateCore::abort_quietly(std::chrono::milliseconds timeout) noexcept {
  try {
    (void)producer_.abort_transaction(timeout);
  } catch (...) {
    // Nothing to add: the caller is already reporting a worse failure.
  }
}

}  // namespace klab::framework::detail
