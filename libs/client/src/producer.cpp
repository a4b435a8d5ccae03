#include "klab/client/producer.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <future>
#include <shared_mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "callback_slab.hpp"
#include "client_handle.hpp"
#include "klab/client/consumer.hpp"
#include "metadata.hpp"

namespace klab::client {
namespace {
using namespace std::chrono_literals;

constexpr auto poll_interval = 100ms;

PersistenceStatus status_of(const rd_kafka_message_t* m) {
  switch (rd_kafka_message_status(m)) {
    case RD_KAFKA_MSG_STATUS_PERSISTED:
      return PersistenceStatus::persisted;
    case RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED:
      return PersistenceStatus::possibly_persisted;
    default:
      return PersistenceStatus::not_persisted;
  }
}

DeliveryReport report_of(rd_kafka_t* rk, const rd_kafka_message_t* m) {
  DeliveryReport r;
  r.topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
  r.partition = m->partition;
  r.offset = m->offset;
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  std::int64_t ms = rd_kafka_message_timestamp(m, &type);
  if (type == RD_KAFKA_TIMESTAMP_CREATE_TIME) r.timestamp = {TimestampType::create_time, ms};
  if (type == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME)
    r.timestamp = {TimestampType::log_append_time, ms};
  if (m->key) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
  r.value_size = m->len;
  // Not rd_kafka_message_errstr(): in a delivery report the payload is the value, not a message.
  if (m->err == RD_KAFKA_RESP_ERR__FATAL)
    r.error = Error::fatal_error_of(rk);
  else if (m->err)
    r.error = Error(m->err);
  r.status = status_of(m);
  return r;
}

using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t,
                                         detail::Deleter<rd_kafka_consumer_group_metadata_destroy>>;

// The per-message opaque is the callback's slot; this is the one place that releases it.
void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void*) {
  auto* slot = static_cast<detail::CallbackSlot*>(m->_private);
  if (!slot) return;
  auto report = report_of(rk, m);
  detail::guarded("delivery callback", [&] { slot->callback(report); });
  detail::CallbackSlab::release(slot);
}

}  // namespace

// Transparent lookup: find(string_view) without building a std::string per send().
struct TopicNameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const noexcept {
    return std::hash<std::string_view>{}(name);
  }
};

struct Producer::Impl {
  // Declared first, destroyed last: every slot is released before the slabs retire.
  detail::CallbackSlabs callback_slabs;
  detail::Callbacks callbacks;
  detail::HandlePtr rk;
  std::jthread poller;
  // One topic handle per topic, kept for the producer's life: rd_kafka_produceva() by name
  // creates and drops one per record under librdkafka's handle-wide write lock.
  struct TopicEntry {
    std::string name;
    rd_kafka_topic_t* rkt;
  };
  std::shared_mutex topics_mutex;
  std::unordered_map<std::string, std::unique_ptr<const TopicEntry>, TopicNameHash, std::equal_to<>>
      topics;
  // The entry used last: most producers write to one topic, which then costs no lock and no
  // hash. Entries are immutable and live as long as the producer, so a stale pointer is safe.
  std::atomic<const TopicEntry*> last_topic{nullptr};

  rd_kafka_topic_t* topic_handle(const std::string& name) {
    if (const TopicEntry* last = last_topic.load(std::memory_order_acquire);
        last && last->name == name)
      return last->rkt;
    const TopicEntry* entry = nullptr;
    {
      std::shared_lock lock(topics_mutex);
      if (auto it = topics.find(std::string_view(name)); it != topics.end())
        entry = it->second.get();
    }
    if (!entry) {
      std::unique_lock lock(topics_mutex);
      auto& slot = topics[name];
      if (!slot) {
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk.get(), name.c_str(), nullptr);
        if (!rkt) {  // an invalid name: send() falls back to the name and reports the error
          topics.erase(name);
          return nullptr;
        }
        slot = std::make_unique<const TopicEntry>(TopicEntry{name, rkt});
      }
      entry = slot.get();
    }
    last_topic.store(entry, std::memory_order_release);
    return entry->rkt;
  }

  explicit Impl(const Config& config) {
    // Keys land where Java's producer puts them unless the caller chose otherwise: librdkafka's
    // own default (consistent_random, CRC32) would split a key's records between a C++ and a
    // Java (or Spring) producer of the same topic.
    const bool java_partitioner = !config.partitioner() && !config.get(keys::partitioner);
    rk = detail::make_handle(
        RD_KAFKA_PRODUCER, config, callbacks, [java_partitioner](rd_kafka_conf_t* conf) {
          rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
          char reason[256];
          if (java_partitioner)
            rd_kafka_conf_set(conf, keys::partitioner.data(), default_partitioner.data(), reason,
                              sizeof reason);
        });
    // Delivery reports are served by rd_kafka_poll(): without this thread they would wait for
    // the application to poll.
    poller = std::jthread([h = rk.get()](std::stop_token stop) {
      while (!stop.stop_requested()) rd_kafka_poll(h, static_cast<int>(poll_interval.count()));
    });
  }

  ~Impl() {
    rd_kafka_t* h = rk.get();
    rd_kafka_flush(h, static_cast<int>(close_timeout.count()));
    // Whatever is left gets an error report now, so every callback (and its opaque) is served
    // before rd_kafka_destroy(), which would drop them silently.
    rd_kafka_purge(h, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    auto deadline = std::chrono::steady_clock::now() + close_timeout;
    while (rd_kafka_outq_len(h) > 0 && std::chrono::steady_clock::now() < deadline)
      rd_kafka_poll(h, 50);
    poller.request_stop();
    // Wakes the poll thread now instead of after its 100 ms wait.
    rd_kafka_queue_yield(detail::QueuePtr(rd_kafka_queue_get_main(h)).get());
    poller.join();
    rd_kafka_poll(h, 0);
    for (auto& [name, entry] : topics) rd_kafka_topic_destroy(entry->rkt);
    rk.reset();
  }
};

Producer::Producer(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Producer::~Producer() = default;
Producer::Producer(Producer&&) noexcept = default;
Producer& Producer::operator=(Producer&&) noexcept = default;

Error Producer::send(const ProducerRecord& record, DeliveryCallback callback) {
  detail::CallbackSlot* opaque =
      callback ? impl_->callback_slabs.emplace(std::move(callback)) : nullptr;
  detail::HeadersPtr headers;
  if (!record.headers.empty()) headers = record.headers.to_native();

  std::array<rd_kafka_vu_t, 8> vu{};
  std::size_t n = 0;
  if (rd_kafka_topic_t* rkt = impl_->topic_handle(record.topic)) {
    vu[n].vtype = RD_KAFKA_VTYPE_RKT;
    vu[n++].u.rkt = rkt;
  } else {
    vu[n].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[n++].u.cstr = record.topic.c_str();
  }
  if (record.partition) {
    vu[n].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[n++].u.i32 = *record.partition;
  }
  // A null pointer is a null key/value; RD_KAFKA_MSG_F_COPY copies, so const_cast is safe.
  vu[n].vtype = RD_KAFKA_VTYPE_KEY;
  vu[n].u.mem.ptr = record.key ? const_cast<char*>(record.key->data()) : nullptr;
  vu[n++].u.mem.size = record.key ? record.key->size() : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[n].u.mem.ptr = record.value ? const_cast<char*>(record.value->data()) : nullptr;
  vu[n++].u.mem.size = record.value ? record.value->size() : 0;
  vu[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[n++].u.i = RD_KAFKA_MSG_F_COPY;
  vu[n].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[n++].u.ptr = opaque;
  if (record.timestamp) {
    vu[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[n++].u.i64 = *record.timestamp;
  }
  if (headers) {
    vu[n].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[n++].u.headers = headers.get();
  }

  if (rd_kafka_error_t* e = rd_kafka_produceva(impl_->rk.get(), vu.data(), n)) {
    // Not queued: librdkafka took nothing; the callback never runs, headers are freed here.
    if (opaque) detail::CallbackSlab::release(opaque);
    auto err = Error::adopt(e);
    if (err.code() == RD_KAFKA_RESP_ERR__FATAL) return Error::fatal_error_of(impl_->rk.get());
    return err;
  }
  headers.release();  // owned by the message now; the slot is released by on_delivery
  return {};
}

DeliveryReport Producer::send_sync(ProducerRecord record, std::chrono::milliseconds timeout) {
  // Shared: if we time out, the callback may still fire later and must find the promise alive.
  auto promise = std::make_shared<std::promise<DeliveryReport>>();
  auto future = promise->get_future();
  DeliveryReport pending;
  pending.topic = record.topic;
  pending.partition = record.partition.value_or(-1);
  pending.key = record.key;
  pending.value_size = record.value ? record.value->size() : 0;
  auto err = send(record, [promise](const DeliveryReport& r) { promise->set_value(r); });
  if (err) throw KafkaException(err, "send to " + pending.topic);
  if (future.wait_for(timeout) == std::future_status::ready) return future.get();
  pending.error = Error(RD_KAFKA_RESP_ERR__TIMED_OUT, "no delivery report within " +
                                                          std::to_string(timeout.count()) +
                                                          " ms: the record may still be delivered");
  pending.status = PersistenceStatus::possibly_persisted;
  return pending;
}

Error Producer::flush(std::chrono::milliseconds timeout) {
  auto err = rd_kafka_flush(impl_->rk.get(), detail::to_ms(timeout));
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT)
    return Error(err, std::to_string(rd_kafka_outq_len(impl_->rk.get())) +
                          " record(s) or event(s) still outstanding after " +
                          std::to_string(timeout.count()) + " ms");
  return err ? Error(err) : Error();
}

Error Producer::init_transactions(std::chrono::milliseconds timeout) {
  return Error::adopt(rd_kafka_init_transactions(impl_->rk.get(), detail::to_ms(timeout)));
}

Error Producer::begin_transaction() {
  return Error::adopt(rd_kafka_begin_transaction(impl_->rk.get()));
}

Error Producer::send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                            rd_kafka_t* consumer,
                                            std::chrono::milliseconds timeout) {
  if (!consumer)
    return Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "no consumer handle to take group metadata from");
  // Group id, generation and member id: the broker uses them to fence a consumer that has
  // been rebalanced out (a zombie) from committing through this transaction.
  GroupMetadataPtr metadata(rd_kafka_consumer_group_metadata(consumer));
  if (!metadata)
    return Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                 "the consumer has no group metadata (is group.id set?)");
  auto list = to_native(offsets);
  return Error::adopt(rd_kafka_send_offsets_to_transaction(impl_->rk.get(), list.get(),
                                                           metadata.get(), detail::to_ms(timeout)));
}

Error Producer::send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                            const Consumer& consumer,
                                            std::chrono::milliseconds timeout) {
  return send_offsets_to_transaction(offsets, consumer.native(), timeout);
}

Error Producer::commit_transaction(std::chrono::milliseconds timeout) {
  return Error::adopt(rd_kafka_commit_transaction(impl_->rk.get(), detail::to_ms(timeout)));
}

Error Producer::abort_transaction(std::chrono::milliseconds timeout) {
  return Error::adopt(rd_kafka_abort_transaction(impl_->rk.get(), detail::to_ms(timeout)));
}

std::vector<PartitionInfo> Producer::partitions_for(const std::string& topic,
                                                    std::chrono::milliseconds timeout) const {
  auto described = detail::describe_topics(impl_->rk.get(), {topic}, timeout);
  auto& d = described.front();
  if (d.error) throw KafkaException(d.error, "partitions of " + topic);
  return std::move(d.partitions);
}

int Producer::outq_len() const { return rd_kafka_outq_len(impl_->rk.get()); }
std::string Producer::name() const { return rd_kafka_name(impl_->rk.get()); }
rd_kafka_t* Producer::native() const noexcept { return impl_->rk.get(); }

}  // namespace klab::client
