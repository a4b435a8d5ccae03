#include "klab/client/consumer.hpp"

#include <atomic>
#include <mutex>
#include <set>

#include "client_handle.hpp"

namespace klab::client {

namespace {

void throw_if(rd_kafka_resp_err_t err, const std::string& context) {
  if (err) throw KafkaException(Error(err), context);
}

std::vector<TopicPartition> next_offset_of(const Record& record) {
  if (record.error())
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "cannot commit an error event: " + record.error().to_string()));
  return {{std::string(record.topic()), record.partition(), record.offset() + 1}};
}

}  // namespace

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
  std::atomic<bool> closed{false};

  explicit Impl(const Config& config) {
    auto group = config.effective(keys::group_id);
    if (!group || group->empty())
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 "group.id is not set: a Consumer needs a group, even for "
                                 "assign() (set it with Config::group_id)"));
    auto handle = detail::make_handle(RD_KAFKA_CONSUMER, config, shared->callbacks);
    // One queue for records, rebalances, commits and errors, all served by poll().
    rd_kafka_poll_set_consumer(handle.get());
    rk = std::shared_ptr<rd_kafka_t>(handle.release(), [s = shared](rd_kafka_t* h) {
      rd_kafka_destroy(h);
      s->fail_pending_commits();
    });
  }

  ~Impl() {
    if (!closed.exchange(true)) rd_kafka_consumer_close(rk.get());
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

Consumer::Consumer(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Consumer::~Consumer() = default;
Consumer::Consumer(Consumer&&) noexcept = default;
Consumer& Consumer::operator=(Consumer&&) noexcept = default;

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
  if (auto err = Error::adopt(
          rd_kafka_seek_partitions(impl_->rk.get(), list.get(), detail::to_ms(timeout))))
    throw KafkaException(err, "seek");
  for (const auto& tp : from_native(list.get()))
    if (tp.error)
      throw KafkaException(tp.error, "seek " + tp.topic + "/" + std::to_string(tp.partition));
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

Error Consumer::close() {
  if (impl_->closed.exchange(true)) return {};
  auto err = rd_kafka_consumer_close(impl_->rk.get());
  return err ? Error(err) : Error();
}

bool Consumer::closed() const noexcept { return impl_->closed; }

std::string Consumer::member_id() const {
  impl_->require_open("member_id");
  detail::CStringPtr id(rd_kafka_memberid(impl_->rk.get()));
  return id ? std::string(id.get()) : std::string();
}

std::string Consumer::name() const { return rd_kafka_name(impl_->rk.get()); }
rd_kafka_t* Consumer::native() const noexcept { return impl_->rk.get(); }

}  // namespace klab::client
