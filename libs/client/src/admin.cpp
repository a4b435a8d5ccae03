#include "klab/client/admin.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>
#include <tuple>

#include "admin_acls.hpp"
#include "admin_request.hpp"
#include "client_handle.hpp"
#include "klab/client/consumer_protocol.hpp"
#include "klab/client/version.hpp"
#include "metadata.hpp"

namespace klab::client {
namespace {
using namespace std::chrono_literals;
using detail::error_of;
using detail::run_admin_op;

// Objects only this file creates, so their owners live here rather than in detail/handles.hpp.
using NewPartitionsPtr =
    std::unique_ptr<rd_kafka_NewPartitions_t, detail::Deleter<rd_kafka_NewPartitions_destroy>>;
using AlterConsumerGroupOffsetsPtr =
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t,
                    detail::Deleter<rd_kafka_AlterConsumerGroupOffsets_destroy>>;
using DeleteGroupPtr =
    std::unique_ptr<rd_kafka_DeleteGroup_t, detail::Deleter<rd_kafka_DeleteGroup_destroy>>;

std::vector<TopicResult> topic_results(const rd_kafka_topic_result_t** results, size_t count) {
  std::vector<TopicResult> out;
  for (size_t i = 0; i < count; ++i)
    out.push_back({rd_kafka_topic_result_name(results[i]),
                   error_of(rd_kafka_topic_result_error(results[i]),
                            rd_kafka_topic_result_error_string(results[i]))});
  return out;
}

// The lab's log route, minus the CONFWARN that calls the isolation.level Admin sets "ignored by
// this producer instance": ListOffsets does use it.
void log_without_isolation_warning(const rd_kafka_t* rk, int level, const char* facility,
                                   const char* line) {
  if (std::string_view(facility) == "CONFWARN" &&
      std::string_view(line).find("isolation.level") != std::string_view::npos)
    return;
  detail::route_log(rk, level, facility, line);
}

ConfigEntry entry_of(const rd_kafka_ConfigEntry_t* e) {
  ConfigEntry c;
  c.name = rd_kafka_ConfigEntry_name(e);
  if (const char* v = rd_kafka_ConfigEntry_value(e)) c.value = v;
  c.source = rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(e));
  c.is_default = rd_kafka_ConfigEntry_is_default(e);
  c.read_only = rd_kafka_ConfigEntry_is_read_only(e);
  c.sensitive = rd_kafka_ConfigEntry_is_sensitive(e);
  return c;
}

/// The first error of a group result: the group's own, else the first partition's (an
/// OffsetCommit-based call such as AlterConsumerGroupOffsets reports per partition).
Error group_result_error(const rd_kafka_group_result_t* group) {
  if (auto err = Error::copy_of(rd_kafka_group_result_error(group))) return err;
  for (const auto& tp : from_native(rd_kafka_group_result_partitions(group)))
    if (tp.error) {
      std::ostringstream where;
      where << tp.topic << "/" << tp.partition << ": " << tp.error.message();
      return Error(tp.error.code(), where.str());
    }
  return {};
}

/// DescribeConfigs of one resource, sorted by config name.
std::vector<ConfigEntry> describe_configs(rd_kafka_t* rk, rd_kafka_ResourceType_t type,
                                          const std::string& name,
                                          std::chrono::milliseconds timeout) {
  detail::ConfigResourcePtr res(rd_kafka_ConfigResource_new(type, name.c_str()));
  rd_kafka_ConfigResource_t* raw = res.get();
  std::string what =
      std::string("describe configs of ") + rd_kafka_ResourceType_name(type) + " '" + name + "'";
  auto ev = run_admin_op(
      rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout, false, what,
      [&](auto* options, auto* queue) { rd_kafka_DescribeConfigs(rk, &raw, 1, options, queue); });
  size_t count = 0;
  auto results = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev.get()), &count);
  std::vector<ConfigEntry> out;
  for (size_t i = 0; i < count; ++i) {
    if (auto err = rd_kafka_ConfigResource_error(results[i]))
      throw KafkaException(error_of(err, rd_kafka_ConfigResource_error_string(results[i])), what);
    size_t n = 0;
    auto entries = rd_kafka_ConfigResource_configs(results[i], &n);
    for (size_t j = 0; j < n; ++j) out.push_back(entry_of(entries[j]));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

bool coordinator_moving(const Error& err) {
  return err == RD_KAFKA_RESP_ERR_NOT_COORDINATOR ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
         err == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE;
}

/// Calls `attempt(time left)` until it does not throw a coordinator error or `timeout` passes.
/// librdkafka 2.0.2 retries a group admin request only when the whole request fails, but the
/// broker reports NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS per group or partition, e.g.
/// while __consumer_offsets is still being created on a fresh cluster.
template <typename Attempt>
void retry_while_coordinator_moves(std::chrono::milliseconds timeout, Attempt&& attempt) {
  constexpr auto backoff = 100ms;  // librdkafka's retry.backoff.ms default
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    try {
      attempt(std::max(left, std::chrono::milliseconds(1)));
      return;
    } catch (const KafkaException& e) {
      if (!coordinator_moving(e.error()) || left <= backoff) throw;
    }
    std::this_thread::sleep_for(backoff);
  }
}

GroupDescription group_of(const rd_kafka_group_info& g) {
  GroupDescription d;
  d.group_id = g.group ? g.group : "";
  d.state = g.state ? g.state : "";
  d.protocol_type = g.protocol_type ? g.protocol_type : "";
  d.protocol = g.protocol ? g.protocol : "";
  d.coordinator_id = g.broker.id;
  d.error = error_of(g.err, nullptr);
  for (int i = 0; i < g.member_cnt; ++i) {
    const auto& m = g.members[i];
    GroupMember member{m.member_id ? m.member_id : "",
                       m.client_id ? m.client_id : "",
                       m.client_host ? m.client_host : "",
                       {}};
    if (d.protocol_type == "consumer" && m.member_assignment && m.member_assignment_size > 0) {
      try {
        member.assignment =
            parse_consumer_assignment({static_cast<const std::uint8_t*>(m.member_assignment),
                                       static_cast<std::size_t>(m.member_assignment_size)})
                .partitions;
      } catch (const KafkaException&) {
        // A non-standard assignor's bytes: show the member without partitions.
      }
    }
    d.members.push_back(std::move(member));
  }
  return d;
}

}  // namespace

struct Admin::Impl {
  Config config;
  detail::Callbacks callbacks;
  detail::HandlePtr rk;
  detail::Callbacks group_callbacks;
  detail::HandlePtr group_rk;

  explicit Impl(const Config& user_config) : config(user_config) {
    Config c = config;
    if (!c.get(keys::allow_auto_create_topics)) c.set(keys::allow_auto_create_topics, "false");
    // watermark_offsets() asks ListOffsets with the handle's isolation.level, and librdkafka's
    // default read_committed answers the last stable offset (the start of the oldest open
    // transaction) instead of the log end. Producer handles use the key despite the warning.
    c.isolation_level(IsolationLevel::read_uncommitted);
    rk = detail::make_handle(RD_KAFKA_PRODUCER, c, callbacks, [](rd_kafka_conf_t* conf) {
      rd_kafka_conf_set_log_cb(conf, log_without_isolation_warning);
    });
  }

  // No poll thread: the main queue only carries the Config's error/statistics events, served
  // here at the start of each call.
  rd_kafka_t* handle() {
    rd_kafka_poll(rk.get(), 0);
    return rk.get();
  }

  // For OffsetFetch only: a consumer handle whose group never joins. librdkafka <= 2.4
  // dereferences the handle's consumer group when OffsetFetch is answered NOT_COORDINATOR, and
  // a producer handle has none (librdkafka issue #5040: SIGSEGV in rd_kafka_cgrp_op).
  rd_kafka_t* group_handle() {
    if (!group_rk) {
      Config c = config;
      c.set(keys::group_id, "klab-admin-" + std::to_string(::getpid()) + "-" +
                                std::to_string(reinterpret_cast<std::uintptr_t>(this)));
      group_rk = detail::make_handle(RD_KAFKA_CONSUMER, c, group_callbacks, {});
    }
    rd_kafka_poll(group_rk.get(), 0);
    return group_rk.get();
  }

  detail::MetadataPtr metadata(bool all_topics, std::chrono::milliseconds timeout) {
    const rd_kafka_metadata_t* md = nullptr;
    auto err =
        rd_kafka_metadata(handle(), all_topics ? 1 : 0, nullptr, &md, detail::to_ms(timeout));
    if (err) throw KafkaException(Error(err), "metadata");
    return detail::MetadataPtr(md);
  }
};

Admin::Admin(const Config& config) : impl_(std::make_unique<Impl>(config)) {}
Admin::~Admin() = default;
Admin::Admin(Admin&&) noexcept = default;
Admin& Admin::operator=(Admin&&) noexcept = default;

std::vector<TopicResult> Admin::create_topics(const std::vector<NewTopic>& topics,
                                              std::chrono::milliseconds timeout) {
  std::vector<detail::NewTopicPtr> owned;
  std::vector<rd_kafka_NewTopic_t*> raw;
  for (const auto& t : topics) {
    char reason[512] = "";
    detail::NewTopicPtr nt(rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, t.replication_factor,
                                                 reason, sizeof reason));
    if (!nt)
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, reason),
                           "create topic '" + t.name + "'");
    for (const auto& [k, v] : t.configs)
      if (auto err = rd_kafka_NewTopic_set_config(nt.get(), k.c_str(), v.c_str()))
        throw KafkaException(Error(err, "config " + k + "=" + v + " rejected"),
                             "create topic '" + t.name + "'");
    raw.push_back(nt.get());
    owned.push_back(std::move(nt));
  }
  rd_kafka_t* rk = impl_->handle();
  auto ev = run_admin_op(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, true, "create topics",
                         [&](auto* options, auto* queue) {
                           rd_kafka_CreateTopics(rk, raw.data(), raw.size(), options, queue);
                         });
  size_t count = 0;
  auto results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &count);
  return topic_results(results, count);
}

void Admin::create_topic(const NewTopic& topic, std::chrono::milliseconds timeout) {
  for (const auto& r : create_topics({topic}, timeout))
    if (r.error) throw KafkaException(r.error, "create topic '" + r.name + "'");
}

std::vector<TopicResult> Admin::delete_topics(const std::vector<std::string>& names,
                                              std::chrono::milliseconds timeout) {
  std::vector<detail::DeleteTopicPtr> owned;
  std::vector<rd_kafka_DeleteTopic_t*> raw;
  for (const auto& n : names) {
    owned.emplace_back(rd_kafka_DeleteTopic_new(n.c_str()));
    raw.push_back(owned.back().get());
  }
  rd_kafka_t* rk = impl_->handle();
  auto ev = run_admin_op(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, true, "delete topics",
                         [&](auto* options, auto* queue) {
                           rd_kafka_DeleteTopics(rk, raw.data(), raw.size(), options, queue);
                         });
  size_t count = 0;
  auto results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &count);
  return topic_results(results, count);
}

void Admin::delete_topic(const std::string& name, std::chrono::milliseconds timeout) {
  for (const auto& r : delete_topics({name}, timeout))
    if (r.error) throw KafkaException(r.error, "delete topic '" + r.name + "'");
}

void Admin::alter_topic_config(const std::string& topic,
                               const std::map<std::string, std::string>& configs,
                               std::chrono::milliseconds timeout) {
  detail::ConfigResourcePtr res(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str()));
  for (const auto& [k, v] : configs)
    if (auto err = rd_kafka_ConfigResource_set_config(res.get(), k.c_str(), v.c_str()))
      throw KafkaException(Error(err, "config " + k + "=" + v), "alter topic '" + topic + "'");
  rd_kafka_t* rk = impl_->handle();
  rd_kafka_ConfigResource_t* raw = res.get();
  auto ev = run_admin_op(
      rk, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout, false, "alter configs",
      [&](auto* options, auto* queue) { rd_kafka_AlterConfigs(rk, &raw, 1, options, queue); });
  size_t count = 0;
  auto results =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.get()), &count);
  for (size_t i = 0; i < count; ++i)
    if (auto err = rd_kafka_ConfigResource_error(results[i]))
      throw KafkaException(error_of(err, rd_kafka_ConfigResource_error_string(results[i])),
                           "alter topic '" + topic + "'");
}

std::vector<ConfigEntry> Admin::describe_topic_config(const std::string& topic,
                                                      std::chrono::milliseconds timeout) {
  return describe_configs(impl_->handle(), RD_KAFKA_RESOURCE_TOPIC, topic, timeout);
}

std::vector<ConfigEntry> Admin::describe_broker_config(int broker_id,
                                                       std::chrono::milliseconds timeout) {
  // librdkafka sends a broker resource to that very broker, found by the id in its name.
  return describe_configs(impl_->handle(), RD_KAFKA_RESOURCE_BROKER, std::to_string(broker_id),
                          timeout);
}

void Admin::create_partitions(const std::string& topic, int total_partitions,
                              std::chrono::milliseconds timeout) {
  std::string what = "create partitions of '" + topic + "'";
  if (total_partitions < 1)
    throw KafkaException(
        Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
              "total_partitions must be at least 1, got " + std::to_string(total_partitions)),
        what);
  char reason[512] = "";
  NewPartitionsPtr np(rd_kafka_NewPartitions_new(
      topic.c_str(), static_cast<size_t>(total_partitions), reason, sizeof reason));
  if (!np) throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG, reason), what);
  rd_kafka_t* rk = impl_->handle();
  rd_kafka_NewPartitions_t* raw = np.get();
  auto ev = run_admin_op(
      rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout, true, what,
      [&](auto* options, auto* queue) { rd_kafka_CreatePartitions(rk, &raw, 1, options, queue); });
  size_t count = 0;
  auto results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(ev.get()), &count);
  for (const auto& r : topic_results(results, count))
    if (r.error) throw KafkaException(r.error, what);
}

std::vector<TopicDescription> Admin::describe_topics(const std::vector<std::string>& names,
                                                     std::chrono::milliseconds timeout) {
  return detail::describe_topics(impl_->handle(), names, timeout);
}

std::vector<std::string> Admin::list_topics(bool include_internal,
                                            std::chrono::milliseconds timeout) {
  auto md = impl_->metadata(true, timeout);
  std::vector<std::string> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    std::string name = md->topics[i].topic;
    if (!include_internal && name.starts_with("__")) continue;
    out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

ClusterDescription Admin::describe_cluster(std::chrono::milliseconds timeout) {
  auto md = impl_->metadata(false, timeout);
  ClusterDescription d;
  for (int i = 0; i < md->broker_cnt; ++i)
    d.brokers.push_back({md->brokers[i].id, md->brokers[i].host, md->brokers[i].port});
  std::sort(d.brokers.begin(), d.brokers.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  // Both come from the metadata just fetched, so a short wait is enough.
  rd_kafka_t* rk = impl_->rk.get();
  detail::CStringPtr id(rd_kafka_clusterid(rk, detail::to_ms(timeout)));
  if (id) d.cluster_id = id.get();
  d.controller_id = rd_kafka_controllerid(rk, detail::to_ms(timeout));
  return d;
}

WatermarkOffsets Admin::watermark_offsets(const std::string& topic, std::int32_t partition,
                                          std::chrono::milliseconds timeout) {
  WatermarkOffsets w;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_resp_err_t err;
  for (;;) {
    auto left = std::max(std::chrono::milliseconds(1),
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now()));
    err = rd_kafka_query_watermark_offsets(impl_->handle(), topic.c_str(), partition, &w.low,
                                           &w.high, detail::to_ms(left));
    bool propagating = err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
                       err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                       err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                       err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (!propagating || std::chrono::steady_clock::now() + 100ms >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  if (err)
    throw KafkaException(Error(err),
                         "watermark offsets of " + topic + "/" + std::to_string(partition));
  return w;
}

std::vector<GroupDescription> Admin::list_groups(std::chrono::milliseconds timeout) {
  const rd_kafka_group_list* raw = nullptr;
  auto err = rd_kafka_list_groups(impl_->handle(), nullptr, &raw, detail::to_ms(timeout));
  if (err && err != RD_KAFKA_RESP_ERR__PARTIAL) throw KafkaException(Error(err), "list groups");
  detail::GroupListPtr list(raw);
  std::vector<GroupDescription> out;
  for (int i = 0; list && i < list->group_cnt; ++i) out.push_back(group_of(list->groups[i]));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

GroupDescription Admin::describe_group(const std::string& group,
                                       std::chrono::milliseconds timeout) {
  const rd_kafka_group_list* raw = nullptr;
  auto err = rd_kafka_list_groups(impl_->handle(), group.c_str(), &raw, detail::to_ms(timeout));
  if (err) throw KafkaException(Error(err), "describe group '" + group + "'");
  detail::GroupListPtr list(raw);
  if (!list || list->group_cnt == 0) {
    GroupDescription d;
    d.group_id = group;
    d.state = "Dead";
    return d;
  }
  auto d = group_of(list->groups[0]);
  if (d.error) throw KafkaException(d.error, "describe group '" + group + "'");
  return d;
}

std::vector<TopicPartition> Admin::committed_offsets(const std::string& group,
                                                     const std::vector<TopicPartition>& partitions,
                                                     std::chrono::milliseconds timeout) {
  detail::PartitionListPtr wanted;
  if (!partitions.empty()) wanted = to_native(partitions);
  detail::ListConsumerGroupOffsetsPtr request(
      rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), wanted.get()));
  rd_kafka_ListConsumerGroupOffsets_t* requests[] = {request.get()};
  rd_kafka_t* rk = impl_->group_handle();
  std::string what = "committed offsets of group '" + group + "'";
  auto ev = run_admin_op(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout, false, what,
                         [&](auto* options, auto* queue) {
                           rd_kafka_ListConsumerGroupOffsets(rk, requests, 1, options, queue);
                         });
  size_t count = 0;
  auto groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &count);
  if (count == 0) return {};
  if (auto err = Error::copy_of(rd_kafka_group_result_error(groups[0])))
    throw KafkaException(err, what);
  return from_native(rd_kafka_group_result_partitions(groups[0]));
}

void Admin::alter_group_offsets(const std::string& group,
                                const std::vector<TopicPartition>& offsets,
                                std::chrono::milliseconds timeout) {
  auto list = to_native(offsets);
  AlterConsumerGroupOffsetsPtr request(
      rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get()));
  rd_kafka_AlterConsumerGroupOffsets_t* raw = request.get();
  rd_kafka_t* rk = impl_->handle();
  std::string what = "alter offsets of group '" + group + "'";
  retry_while_coordinator_moves(timeout, [&](std::chrono::milliseconds left) {
    auto ev = run_admin_op(rk, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, left, false, what,
                           [&](auto* options, auto* queue) {
                             rd_kafka_AlterConsumerGroupOffsets(rk, &raw, 1, options, queue);
                           });
    size_t count = 0;
    auto groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &count);
    for (size_t i = 0; i < count; ++i)
      if (auto err = group_result_error(groups[i])) throw KafkaException(err, what);
  });
}

void Admin::delete_group(const std::string& group, std::chrono::milliseconds timeout) {
  DeleteGroupPtr request(rd_kafka_DeleteGroup_new(group.c_str()));
  rd_kafka_DeleteGroup_t* raw = request.get();
  rd_kafka_t* rk = impl_->handle();
  std::string what = "delete group '" + group + "'";
  retry_while_coordinator_moves(timeout, [&](std::chrono::milliseconds left) {
    auto ev = run_admin_op(
        rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS, left, false, what,
        [&](auto* options, auto* queue) { rd_kafka_DeleteGroups(rk, &raw, 1, options, queue); });
    size_t count = 0;
    auto groups =
        rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &count);
    for (size_t i = 0; i < count; ++i)
      if (auto err = group_result_error(groups[i])) throw KafkaException(err, what);
  });
}

std::string Admin::name() const { return rd_kafka_name(impl_->rk.get()); }
std::vector<Error> Admin::create_acls(const std::vector<AclBinding>& acls,
                                      std::chrono::milliseconds timeout) {
  return detail::create_acls(impl_->handle(), acls, timeout);
}

void Admin::create_acl(const AclBinding& acl, std::chrono::milliseconds timeout) {
  auto errors = create_acls({acl}, timeout);
  if (!errors.empty() && errors.front())
    throw KafkaException(errors.front(), "create ACL " + to_string(acl));
}

std::vector<AclBinding> Admin::describe_acls(const AclBindingFilter& filter,
                                             std::chrono::milliseconds timeout) {
  if (filter.resource_type != AclResourceType::transactional_id || KLAB_RDKAFKA_AT_LEAST(2, 6, 0))
    return detail::describe_acls(impl_->handle(), filter, timeout);
  auto any = filter;
  any.resource_type = AclResourceType::any;
  auto acls = detail::describe_acls(impl_->handle(), any, timeout);
  // It answers TRANSACTIONAL_ID bindings as a type it cannot name.
  std::erase_if(acls, [](const auto& b) {
    return b.resource_type != AclResourceType::transactional_id &&
           b.resource_type != AclResourceType::unknown;
  });
  return acls;
}

std::vector<AclBinding> Admin::delete_acls(const AclBindingFilter& filter,
                                           std::chrono::milliseconds timeout) {
  return detail::delete_acls(impl_->handle(), filter, timeout);
}

rd_kafka_t* Admin::native() const noexcept { return impl_->rk.get(); }

}  // namespace klab::client
