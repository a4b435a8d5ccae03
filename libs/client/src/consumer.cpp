#include "klab/client/consumer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "client_handle.hpp"
#include "klab/client/log.hpp"
#include "metadata.hpp"

namespace klab::client {

namespace {

void throw_if(rd_kafka_resp_err_t err, const std::string& context) {
  if (err) throw KafkaException(Error(err), context);
}

std::vector<TopicPartition> next_offset_of(const Record& record, const char* verb = "commit") {
  if (record.error())
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
              std::string("cannot ") + verb + " an error event: " + record.error().to_string()));
  return {{std::string(record.topic()), record.partition(), record.offset() + 1}};
}

// Throws the first per-partition error a librdkafka call left in `list`.
void throw_first_partition_error(const rd_kafka_topic_partition_list_t* list,
                                 const std::string& context) {
  for (const auto& tp : from_native(list))
    if (tp.error)
      throw KafkaException(tp.error, context + " " + tp.topic + "/" + std::to_string(tp.partition));
}

std::vector<TopicPartition> with_offset(std::vector<TopicPartition> partitions,
                                        std::int64_t offset) {
  for (auto& tp : partitions) tp.offset = offset;
  return partitions;
}

// From the configuration, never rd_kafka_rebalance_protocol(): called inside a rebalance
// callback during close, librdkafka 2.0.2 can block there forever (librdkafka issue #4041).
// librdkafka refuses to mix eager and cooperative assignors, so one name decides.
bool cooperative_in(const Config& config) {
  auto strategies = config.effective(keys::partition_assignment_strategy);
  return strategies && strategies->find("cooperative-sticky") != std::string::npos;
}

// What the group asked for, applied to librdkafka: without this a rebalance_cb would leave the
// consumer with nothing assigned (or, for a revoke, still fetching what it no longer owns).
void apply_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, bool cooperative) {
  Error result;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
    result = cooperative ? Error::adopt(rd_kafka_incremental_assign(rk, partitions))
                         : Error(rd_kafka_assign(rk, partitions));
  else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
    result = cooperative ? Error::adopt(rd_kafka_incremental_unassign(rk, partitions))
                         : Error(rd_kafka_assign(rk, nullptr));
  else  // a failed rebalance: librdkafka asks for a reset to resynchronise its state
    result = Error(rd_kafka_assign(rk, nullptr));
  // Called from C: report rather than throw. Usually _FATAL or a closing consumer.
  if (result)
    log(LogLevel::warning, "klab::client",
        "applying a rebalance (" + Error(err).name() + ") failed: " + result.to_string());
}

// The rebalance_cb every Consumer installs; the opaque is the handle's detail::Callbacks, whose
// rebalance target is always set (by Impl, then by ~Impl for Records that outlive it).
void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* callbacks = static_cast<detail::Callbacks*>(opaque);
  if (callbacks && callbacks->rebalance) callbacks->rebalance(rk, err, partitions);
}

// How long close() serves the group at each step of giving up a cooperative assignment before
// closing anyway.
constexpr auto cooperative_close_timeout = std::chrono::seconds(10);

}  // namespace

std::string throwaway_group_id(std::string_view purpose) {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = std::random_device{}();
  return "klab-" + std::string(purpose) + "-" + std::to_string(salt % 1000000) + "-" +
         std::to_string(counter++);
}

struct Consumer::Impl {
  struct CommitRequest;

  // What must outlive the Consumer object when Records still hold the handle: librdkafka's
  // callbacks and the async commits not answered yet.
  struct Shared {
    detail::Callbacks callbacks;
    std::mutex commits_mutex;
    std::set<CommitRequest*> pending_commits;

    // Commits librdkafka dropped at destroy still get their one callback call, with _DESTROY.
    void fail_pending_commits();
  };

  struct CommitRequest {
    std::shared_ptr<Shared> shared;
    CommitCallback callback;
  };

  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  // Shared with every Record: rd_kafka_destroy() blocks while any message is alive, so the
  // handle is destroyed when the last of the Consumer and its Records goes.
  std::shared_ptr<rd_kafka_t> rk;
  // `closing` makes close() run once; `closed` is set only after it returned, so a rebalance
  // listener can still commit while close() revokes the assignment.
  std::atomic<bool> closing{false};
  std::atomic<bool> closed{false};
  // The Consumer object the listener is handed; updated when the Consumer moves.
  Consumer* owner = nullptr;
  RebalanceListener listener;
  const bool cooperative;
  // When the last rebalance callback ran (close() waits for the group to go quiet).
  std::atomic<std::chrono::steady_clock::time_point> last_rebalance{};
  // Whether an assign callback ever ran (see give_up_cooperative_assignment).
  std::atomic<bool> assigned_once{false};

  explicit Impl(const Config& config)
      : listener(config.rebalance_listener()), cooperative(cooperative_in(config)) {
    auto group = config.effective(keys::group_id);
    if (!group || group->empty())
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 "group.id is not set: a Consumer needs a group, even for "
                                 "assign() (set it with Config::group_id)"));
    // Rebalances run only on the thread serving the queue (poll / close), never concurrently
    // with ~Impl, which swaps this for a listener-free one.
    shared->callbacks.rebalance = [this](rd_kafka_t* h, rd_kafka_resp_err_t err,
                                         rd_kafka_topic_partition_list_t* partitions) {
      on_rebalance_event(h, err, partitions);
    };
    auto handle = detail::make_handle(
        RD_KAFKA_CONSUMER, config, shared->callbacks,
        [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_rebalance_cb(conf, on_rebalance); });
    // One queue for records, rebalances, commits and errors, all served by poll().
    rd_kafka_poll_set_consumer(handle.get());
    rk = std::shared_ptr<rd_kafka_t>(handle.release(), [s = shared](rd_kafka_t* h) {
      rd_kafka_destroy(h);
      s->fail_pending_commits();
    });
  }

  ~Impl() {
    owner = nullptr;
    close();
    // Records may keep the handle (and its callbacks) alive after this Impl is gone.
    shared->callbacks.rebalance = [coop = cooperative](
                                      rd_kafka_t* h, rd_kafka_resp_err_t err,
                                      rd_kafka_topic_partition_list_t* partitions) {
      apply_rebalance(h, err, partitions, coop);
    };
  }

  std::size_t assigned_count() const {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(rk.get(), &raw)) return 0;
    detail::PartitionListPtr list(raw);
    return static_cast<std::size_t>(list->cnt);
  }

  // Two librdkafka 2.0.2 bugs make closing a cooperative (cooperative-sticky) consumer unsafe:
  // - closing while an assignment is handed over can hang forever (librdkafka issue #4527).
  //   Its documented workaround: unsubscribe, serve the group until nothing is assigned, close.
  // - destroying it between its first JoinGroup and SyncGroup answers aborts the process: the
  //   sticky assignor's state is still NULL (issue #4312). The first assign callback (sent even
  //   for an empty assignment) marks the state as set, so close waits for it.
  // Partitions are paused first (and any assigned meanwhile, in on_rebalance_event): pausing
  // bumps each partition's op version, which drops records already fetched, so none is taken
  // from the queue here - or, with auto offset store, marked consumed - unseen by the app.
  void give_up_cooperative_assignment() {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_subscription(rk.get(), &raw)) return;
    detail::PartitionListPtr subscription(raw);
    if (subscription->cnt == 0) return;  // assign()ed partitions never leave by themselves
    raw = nullptr;
    if (rd_kafka_assignment(rk.get(), &raw)) return;
    detail::PartitionListPtr assigned(raw);
    if (assigned->cnt > 0) rd_kafka_pause_partitions(rk.get(), assigned.get());
    using Clock = std::chrono::steady_clock;
    auto serve = [&](auto&& done) {
      auto deadline = Clock::now() + cooperative_close_timeout;
      while (!done() && Clock::now() < deadline)
        if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 20))
          rd_kafka_message_destroy(m);
    };
    serve([&] { return assigned_once.load(); });
    rd_kafka_unsubscribe(rk.get());
    // Done when nothing is assigned and the group has been quiet for a moment: an assignment
    // already on its way (the case that hangs) arrives within that moment and is given back.
    constexpr auto quiet = std::chrono::milliseconds(300);
    last_rebalance = Clock::now();
    serve([&] { return assigned_count() == 0 && Clock::now() - last_rebalance.load() >= quiet; });
  }

  Error close() {
    if (closing.exchange(true)) return {};
    if (cooperative) give_up_cooperative_assignment();
    auto err = rd_kafka_consumer_close(rk.get());
    closed = true;
    return err ? Error(err) : Error();
  }

  void on_rebalance_event(rd_kafka_t* h, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions) {
    last_rebalance = std::chrono::steady_clock::now();
    if (listener && owner &&
        (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ||
         err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)) {
      RebalanceEvent event;
      // Read before applying: assign / unassign reset the "lost" flag.
      event.kind = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? RebalanceKind::assigned
                   : rd_kafka_assignment_lost(h)               ? RebalanceKind::lost
                                                               : RebalanceKind::revoked;
      event.partitions = from_native(partitions);
      event.cooperative = cooperative;
      detail::guarded("rebalance listener", [&] { listener(*owner, event); });
    }
    apply_rebalance(h, err, partitions, cooperative);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      assigned_once = true;
      // Closing: what arrives now is only given back, never fetched.
      if (closing && partitions && partitions->cnt > 0) rd_kafka_pause_partitions(h, partitions);
    }
  }

  void require_open(const char* operation) const {
    if (closed)
      throw KafkaException(
          Error(RD_KAFKA_RESP_ERR__STATE, std::string(operation) + " on a closed consumer"));
  }

  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque) {
    std::unique_ptr<CommitRequest> req(static_cast<CommitRequest*>(opaque));
    {
      std::lock_guard lock(req->shared->commits_mutex);
      req->shared->pending_commits.erase(req.get());
    }
    if (req->callback) {
      Error e = err ? Error(err) : Error();
      auto list = from_native(offsets);
      detail::guarded("commit callback", [&] { req->callback(e, list); });
    }
  }

  void commit_sync(const rd_kafka_topic_partition_list_t* offsets) {
    require_open("commit_sync");
    struct Result {
      std::vector<TopicPartition> offsets;
    } result;
    auto cb = [](rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t* list,
                 void* opaque) { static_cast<Result*>(opaque)->offsets = from_native(list); };
    // No queue: librdkafka serves the callback inside this call, i.e. synchronously.
    auto err = rd_kafka_commit_queue(rk.get(), offsets, nullptr, cb, &result);
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing consumed: nothing to commit
    if (err) {
      for (const auto& tp : result.offsets)
        if (tp.error)
          throw KafkaException(tp.error, "commit " + tp.topic + "/" + std::to_string(tp.partition));
      throw KafkaException(Error(err), "commit");
    }
  }

  Error commit_async(const rd_kafka_topic_partition_list_t* offsets, CommitCallback callback) {
    if (closed) return Error(RD_KAFKA_RESP_ERR__STATE, "commit_async on a closed consumer");
    auto* req = new CommitRequest{shared, std::move(callback)};
    {
      std::lock_guard lock(shared->commits_mutex);
      shared->pending_commits.insert(req);
    }
    detail::QueuePtr queue(rd_kafka_queue_get_consumer(rk.get()));
    auto err = rd_kafka_commit_queue(rk.get(), offsets, queue.get(), on_commit, req);
    if (err) {
      std::lock_guard lock(shared->commits_mutex);
      if (shared->pending_commits.erase(req)) delete req;  // not queued: no callback will run
      return Error(err);
    }
    return {};
  }
};

void Consumer::Impl::Shared::fail_pending_commits() {
  std::set<CommitRequest*> left;
  {
    std::lock_guard lock(commits_mutex);
    left.swap(pending_commits);
  }
  for (auto* req : left) {
    std::unique_ptr<CommitRequest> owned(req);
    if (req->callback)
      detail::guarded("commit callback", [&] {
        req->callback(Error(RD_KAFKA_RESP_ERR__DESTROY,
                            "the consumer was destroyed before the commit result arrived"),
                      {});
      });
  }
}

Consumer::Consumer(const Config& config) : impl_(std::make_unique<Impl>(config)) {
  impl_->owner = this;
}

// Closing here, not in ~Impl, so the listener's final revoke sees a whole Consumer.
Consumer::~Consumer() {
  if (impl_) impl_->close();
}

Consumer::Consumer(Consumer&& other) noexcept : impl_(std::move(other.impl_)) {
  if (impl_) impl_->owner = this;
}

Consumer& Consumer::operator=(Consumer&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->close();
    impl_ = std::move(other.impl_);
    if (impl_) impl_->owner = this;
  }
  return *this;
}

void Consumer::subscribe(const std::vector<std::string>& topics) {
  impl_->require_open("subscribe");
  if (topics.empty())
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "subscribe to no topics"));
  detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& t : topics)
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  throw_if(rd_kafka_subscribe(impl_->rk.get(), list.get()), "subscribe");
}

void Consumer::unsubscribe() {
  impl_->require_open("unsubscribe");
  throw_if(rd_kafka_unsubscribe(impl_->rk.get()), "unsubscribe");
}

std::vector<std::string> Consumer::subscription() const {
  impl_->require_open("subscription");
  rd_kafka_topic_partition_list_t* raw = nullptr;
  throw_if(rd_kafka_subscription(impl_->rk.get(), &raw), "subscription");
  detail::PartitionListPtr list(raw);
  std::vector<std::string> out;
  for (int i = 0; i < list->cnt; ++i) out.emplace_back(list->elems[i].topic);
  return out;
}

void Consumer::assign(const std::vector<TopicPartition>& partitions) {
  impl_->require_open("assign");
  throw_if(rd_kafka_assign(impl_->rk.get(), to_native(partitions).get()), "assign");
}

void Consumer::unassign() {
  impl_->require_open("unassign");
  throw_if(rd_kafka_assign(impl_->rk.get(), nullptr), "unassign");
}

std::vector<TopicPartition> Consumer::assignment() const {
  impl_->require_open("assignment");
  rd_kafka_topic_partition_list_t* raw = nullptr;
  throw_if(rd_kafka_assignment(impl_->rk.get(), &raw), "assignment");
  detail::PartitionListPtr list(raw);
  return from_native(list.get());
}

std::optional<Record> Consumer::poll(std::chrono::milliseconds timeout) {
  impl_->require_open("poll");
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk.get(), detail::to_ms(timeout));
  if (!m) return std::nullopt;
  detail::MessagePtr message(m);
  if (m->err == RD_KAFKA_RESP_ERR__FATAL)
    return Record(std::move(message), Error::fatal_error_of(impl_->rk.get()), impl_->rk);
  return Record(std::move(message), impl_->rk);
}

std::vector<Record> Consumer::poll_batch(std::size_t max_records,
                                         std::chrono::milliseconds timeout) {
  impl_->require_open("poll_batch");
  if (max_records == 0)
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "poll_batch of 0 records"));
  detail::QueuePtr queue(rd_kafka_queue_get_consumer(impl_->rk.get()));
  std::vector<rd_kafka_message_t*> raw(max_records, nullptr);
  // librdkafka 2.0.2 waits up to the timeout for the whole batch to fill; two calls give
  // "wait for the first, then take what is already here".
  ssize_t n = rd_kafka_consume_batch_queue(queue.get(), detail::to_ms(timeout), raw.data(), 1);
  if (n == 1 && max_records > 1) {
    ssize_t more = rd_kafka_consume_batch_queue(queue.get(), 0, raw.data() + 1, max_records - 1);
    if (more > 0) n += more;
  }
  std::vector<Record> out;
  if (n <= 0) return out;
  out.reserve(static_cast<std::size_t>(n));
  for (ssize_t i = 0; i < n; ++i) {
    detail::MessagePtr message(raw[static_cast<std::size_t>(i)]);
    if (message->err == RD_KAFKA_RESP_ERR__FATAL)
      out.emplace_back(std::move(message), Error::fatal_error_of(impl_->rk.get()), impl_->rk);
    else
      out.emplace_back(std::move(message), impl_->rk);
  }
  return out;
}

void Consumer::store_offset(const Record& record) {
  store_offsets(next_offset_of(record, "store the offset of"));
}

void Consumer::store_offsets(const std::vector<TopicPartition>& offsets) {
  impl_->require_open("store_offsets");
  auto list = to_native(offsets);
  throw_if(rd_kafka_offsets_store(impl_->rk.get(), list.get()), "store offsets");
  throw_first_partition_error(list.get(), "store offset");
}

void Consumer::commit_sync() { impl_->commit_sync(nullptr); }
void Consumer::commit_sync(const Record& record) {
  impl_->commit_sync(to_native(next_offset_of(record)).get());
}
void Consumer::commit_sync(const std::vector<TopicPartition>& offsets) {
  impl_->commit_sync(to_native(offsets).get());
}

Error Consumer::commit_async(CommitCallback callback) {
  return impl_->commit_async(nullptr, std::move(callback));
}
Error Consumer::commit_async(const Record& record, CommitCallback callback) {
  if (record.error())
    return Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                 "cannot commit an error event: " + record.error().to_string());
  return impl_->commit_async(to_native(next_offset_of(record)).get(), std::move(callback));
}
Error Consumer::commit_async(const std::vector<TopicPartition>& offsets, CommitCallback callback) {
  return impl_->commit_async(to_native(offsets).get(), std::move(callback));
}

std::vector<TopicPartition> Consumer::committed(const std::vector<TopicPartition>& partitions,
                                                std::chrono::milliseconds timeout) const {
  impl_->require_open("committed");
  auto list = to_native(partitions);
  throw_if(rd_kafka_committed(impl_->rk.get(), list.get(), detail::to_ms(timeout)), "committed");
  return from_native(list.get());
}

std::vector<TopicPartition> Consumer::position(
    const std::vector<TopicPartition>& partitions) const {
  impl_->require_open("position");
  auto list = to_native(partitions);
  throw_if(rd_kafka_position(impl_->rk.get(), list.get()), "position");
  return from_native(list.get());
}

std::vector<TopicPartition> Consumer::position() const { return position(assignment()); }

void Consumer::seek(const std::vector<TopicPartition>& offsets, std::chrono::milliseconds timeout) {
  impl_->require_open("seek");
  auto list = to_native(offsets);
  // Before librdkafka 2.1.0 seek_partitions waited its timeout in microseconds, not
  // milliseconds (fixed upstream in 2.1.0): 5 s became 5 ms, and a busy fetcher timed it out.
  int timeout_ms = detail::to_ms(timeout);
  if (rd_kafka_version() < 0x020100ff && timeout_ms > 0)
    timeout_ms = static_cast<int>(
        std::min<std::int64_t>(std::int64_t{timeout_ms} * 1000, std::numeric_limits<int>::max()));
  if (auto err = Error::adopt(rd_kafka_seek_partitions(impl_->rk.get(), list.get(), timeout_ms)))
    throw KafkaException(err, "seek");
  for (const auto& tp : from_native(list.get()))
    if (tp.error)
      throw KafkaException(tp.error, "seek " + tp.topic + "/" + std::to_string(tp.partition));
}

std::vector<TopicPartition> Consumer::offsets_for_times(
    const std::vector<TopicPartition>& partitions_with_timestamp_ms_in_offset,
    std::chrono::milliseconds timeout) const {
  impl_->require_open("offsets_for_times");
  auto list = to_native(partitions_with_timestamp_ms_in_offset);
  throw_if(rd_kafka_offsets_for_times(impl_->rk.get(), list.get(), detail::to_ms(timeout)),
           "offsets_for_times");
  return from_native(list.get());
}

void Consumer::seek_to_timestamp(std::int64_t timestamp_ms, std::chrono::milliseconds timeout) {
  auto assigned = assignment();
  if (assigned.empty()) return;
  auto found = offsets_for_times(with_offset(std::move(assigned), timestamp_ms), timeout);
  for (auto& tp : found) {
    if (tp.error)
      throw KafkaException(tp.error,
                           "offsets_for_times " + tp.topic + "/" + std::to_string(tp.partition));
    // -1 happens to be offset_end already; spelled out because it means "nothing that new".
    if (tp.offset < 0) tp.offset = offset_end;
  }
  seek(found, timeout);
}

void Consumer::seek_to_beginning(const std::vector<TopicPartition>& partitions,
                                 std::chrono::milliseconds timeout) {
  seek(with_offset(partitions, offset_beginning), timeout);
}

void Consumer::seek_to_end(const std::vector<TopicPartition>& partitions,
                           std::chrono::milliseconds timeout) {
  // The end as it is now, not librdkafka's logical "end" resolved at the next fetch: a record
  // produced between this call and that fetch would otherwise be skipped.
  seek(end_offsets(partitions, timeout), timeout);
}

void Consumer::pause(const std::vector<TopicPartition>& partitions) {
  impl_->require_open("pause");
  auto list = to_native(partitions);
  throw_if(rd_kafka_pause_partitions(impl_->rk.get(), list.get()), "pause");
  for (const auto& tp : from_native(list.get()))
    if (tp.error)
      throw KafkaException(tp.error, "pause " + tp.topic + "/" + std::to_string(tp.partition));
}

void Consumer::resume(const std::vector<TopicPartition>& partitions) {
  impl_->require_open("resume");
  auto list = to_native(partitions);
  throw_if(rd_kafka_resume_partitions(impl_->rk.get(), list.get()), "resume");
  for (const auto& tp : from_native(list.get()))
    if (tp.error)
      throw KafkaException(tp.error, "resume " + tp.topic + "/" + std::to_string(tp.partition));
}

Error Consumer::close() { return impl_->close(); }

bool Consumer::closed() const noexcept { return impl_->closed; }

std::string Consumer::member_id() const {
  impl_->require_open("member_id");
  detail::CStringPtr id(rd_kafka_memberid(impl_->rk.get()));
  return id ? std::string(id.get()) : std::string();
}

std::string Consumer::rebalance_protocol() const {
  impl_->require_open("rebalance_protocol");
  const char* protocol = rd_kafka_rebalance_protocol(impl_->rk.get());
  return protocol ? protocol : "NONE";
}

WatermarkOffsets Consumer::query_watermark_offsets(const std::string& topic, std::int32_t partition,
                                                   std::chrono::milliseconds timeout) const {
  impl_->require_open("query_watermark_offsets");
  WatermarkOffsets w;
  // ListOffsets is sent with this handle's isolation.level: read_committed answers the LSO.
  auto err = rd_kafka_query_watermark_offsets(impl_->rk.get(), topic.c_str(), partition, &w.low,
                                              &w.high, detail::to_ms(timeout));
  if (err)
    throw KafkaException(Error(err),
                         "watermark offsets of " + topic + "/" + std::to_string(partition));
  return w;
}

std::vector<PartitionInfo> Consumer::partitions_for(const std::string& topic,
                                                    std::chrono::milliseconds timeout) const {
  impl_->require_open("partitions_for");
  auto described = detail::describe_topics(impl_->rk.get(), {topic}, timeout);
  auto& d = described.front();
  if (d.error) throw KafkaException(d.error, "partitions of " + topic);
  return std::move(d.partitions);
}

std::vector<TopicPartition> Consumer::beginning_offsets(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) const {
  auto out = partitions;
  for (auto& tp : out) {
    tp.offset = query_watermark_offsets(tp.topic, tp.partition, timeout).low;
    tp.error = {};
  }
  return out;
}

std::vector<TopicPartition> Consumer::end_offsets(const std::vector<TopicPartition>& partitions,
                                                  std::chrono::milliseconds timeout) const {
  auto out = partitions;
  for (auto& tp : out) {
    tp.offset = query_watermark_offsets(tp.topic, tp.partition, timeout).high;
    tp.error = {};
  }
  return out;
}

std::int64_t Consumer::last_stable_offset(const std::string& topic, std::int32_t partition,
                                          std::chrono::milliseconds timeout) const {
  char level[32] = {};
  std::size_t size = sizeof level;
  if (rd_kafka_conf_get(rd_kafka_conf(impl_->rk.get()), "isolation.level", level, &size) ==
          RD_KAFKA_CONF_OK &&
      std::string_view(level) != "read_committed")
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "last_stable_offset needs isolation.level=read_committed; this "
                               "consumer reads " +
                                   std::string(level) + " and would get the high watermark"));
  return query_watermark_offsets(topic, partition, timeout).high;
}

detail::ConsumerGroupMetadataPtr Consumer::group_metadata() const {
  impl_->require_open("group_metadata");
  detail::ConsumerGroupMetadataPtr metadata(rd_kafka_consumer_group_metadata(impl_->rk.get()));
  if (!metadata)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__STATE, "the consumer has no group metadata (no group.id?)"));
  return metadata;
}

std::string Consumer::name() const { return rd_kafka_name(impl_->rk.get()); }
rd_kafka_t* Consumer::native() const noexcept { return impl_->rk.get(); }

}  // namespace klab::client
