#pragma once
// Cluster administration: topics, brokers, offsets and consumer groups. Every call blocks up to
// its timeout; batch calls report an Error per item, single-item calls throw it.
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "klab/client/acl.hpp"
#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/client/topic_partition.hpp"

namespace klab::client {

struct NewTopic {
  std::string name;
  int partitions = 1;                          ///< -1: the broker's num.partitions
  int replication_factor = -1;                 ///< -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;  ///< topic configs, e.g. min.insync.replicas
};

/// Per-topic outcome of create_topics() / delete_topics().
struct TopicResult {
  std::string name;
  Error error;  ///< e.g. TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR with the broker's text
};

struct PartitionInfo {
  std::int32_t id = 0;
  std::int32_t leader = -1;  ///< broker id; -1 while there is no leader
  std::vector<std::int32_t> replicas;
  std::vector<std::int32_t> isr;
  Error error;  ///< e.g. LEADER_NOT_AVAILABLE during an election
};

struct TopicDescription {
  std::string name;
  Error error;                            ///< UNKNOWN_TOPIC_OR_PART when the topic does not exist
  std::vector<PartitionInfo> partitions;  ///< sorted by id
};

struct BrokerInfo {
  std::int32_t id = 0;
  std::string host;
  int port = 0;
};

struct ClusterDescription {
  std::string cluster_id;  ///< "" when the brokers do not report one
  std::int32_t controller_id = -1;
  std::vector<BrokerInfo> brokers;  ///< sorted by id
};

struct WatermarkOffsets {
  std::int64_t low = -1;   ///< log start offset: the oldest record still kept
  std::int64_t high = -1;  ///< log end offset: the offset the next record will get
};

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  std::vector<TopicPartition> assignment;  ///< decoded for protocol type "consumer"
};

struct GroupDescription {
  std::string group_id;
  std::string state;          ///< Stable, PreparingRebalance, CompletingRebalance, Empty, Dead
  std::string protocol_type;  ///< "consumer" for consumer groups
  std::string protocol;       ///< the assignor in use, e.g. "range"
  std::int32_t coordinator_id = -1;
  Error error;
  std::vector<GroupMember> members;
};

/// One config of a topic or broker as DescribeConfigs reports it.
struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  ///< nullopt when unset, or always when sensitive
  /// Where the value comes from: DYNAMIC_TOPIC_CONFIG (a topic override), DYNAMIC_BROKER_CONFIG,
  /// DYNAMIC_DEFAULT_BROKER_CONFIG, STATIC_BROKER_CONFIG (server.properties), DEFAULT_CONFIG.
  std::string source;
  bool is_default = false;  ///< nobody set it: the value is Kafka's built-in default
  bool read_only = false;   ///< alter_topic_config() cannot change it
  bool sensitive = false;   ///< a secret: the broker never returns its value
};

class Admin {
 public:
  /// Creates an admin client (a producer-type handle; allow.auto.create.topics is forced to
  /// false unless set, so describing a topic never creates it; isolation.level is forced to
  /// read_uncommitted, see watermark_offsets()).
  /// Errors: KafkaException _INVALID_ARG with librdkafka's reason.
  explicit Admin(const Config& config);
  ~Admin();
  Admin(Admin&&) noexcept;
  Admin& operator=(Admin&&) noexcept;
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  /// Creates one topic and waits until the controller has created it (operation timeout =
  /// `timeout`). Errors: KafkaException TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR (more
  /// replicas than brokers, with the broker's message), INVALID_PARTITIONS, INVALID_CONFIG,
  /// POLICY_VIOLATION, TOPIC_AUTHORIZATION_FAILED, _INVALID_ARG (bad name or counts),
  /// _TIMED_OUT.
  void create_topic(const NewTopic& topic, std::chrono::milliseconds timeout);
  /// Creates several topics; each result carries its own error (as create_topic()).
  /// Errors: KafkaException only when the whole request fails (_INVALID_ARG, _TIMED_OUT,
  /// _TRANSPORT).
  [[nodiscard]] std::vector<TopicResult> create_topics(const std::vector<NewTopic>& topics,
                                                       std::chrono::milliseconds timeout);
  /// Deletes one topic. Errors: KafkaException UNKNOWN_TOPIC_OR_PART, TOPIC_DELETION_DISABLED,
  /// TOPIC_AUTHORIZATION_FAILED, _TIMED_OUT.
  void delete_topic(const std::string& name, std::chrono::milliseconds timeout);
  /// Deletes several topics; each result carries its own error (as delete_topic()).
  /// Errors: KafkaException only when the whole request fails.
  [[nodiscard]] std::vector<TopicResult> delete_topics(const std::vector<std::string>& names,
                                                       std::chrono::milliseconds timeout);

  /// Sets a topic's dynamic configs with AlterConfigs (librdkafka 2.0.2 has no incremental
  /// variant): the topic ends up with exactly `configs` as its overrides, and every override
  /// not named here returns to the broker default. Errors: KafkaException UNKNOWN_TOPIC_OR_PART,
  /// INVALID_CONFIG / INVALID_REQUEST with the broker's message, _TIMED_OUT.
  void alter_topic_config(const std::string& topic,
                          const std::map<std::string, std::string>& configs,
                          std::chrono::milliseconds timeout);

  /// Every config of `topic`, overrides and defaults alike, sorted by name.
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART, TOPIC_AUTHORIZATION_FAILED, _TIMED_OUT.
  std::vector<ConfigEntry> describe_topic_config(const std::string& topic,
                                                 std::chrono::milliseconds timeout);
  /// Every config of broker `broker_id` (asked from that broker), sorted by name.
  /// Errors: KafkaException _INVALID_ARG / _TRANSPORT for an unknown broker id,
  /// CLUSTER_AUTHORIZATION_FAILED, _TIMED_OUT.
  std::vector<ConfigEntry> describe_broker_config(int broker_id, std::chrono::milliseconds timeout);

  /// Grows `topic` to `total_partitions` partitions (a total, not a number to add). Keys then
  /// hash to other partitions, so per-key order across the change is lost.
  /// Errors: KafkaException INVALID_PARTITIONS with the broker's message ("... currently has 3
  /// partition(s); 2 would not be an increase.", "Topic already has 3 partition(s)."),
  /// UNKNOWN_TOPIC_OR_PART, INVALID_REPLICA_ASSIGNMENT, POLICY_VIOLATION, _INVALID_ARG (a count
  /// below 1), _TIMED_OUT.
  void create_partitions(const std::string& topic, int total_partitions,
                         std::chrono::milliseconds timeout);

  /// Partitions, leaders, replicas and ISR from cluster metadata (librdkafka 2.0.2 has no
  /// DescribeTopics). Missing topics get UNKNOWN_TOPIC_OR_PART in their own entry.
  /// Errors: KafkaException _TIMED_OUT / _TRANSPORT when no broker answers.
  std::vector<TopicDescription> describe_topics(const std::vector<std::string>& names,
                                                std::chrono::milliseconds timeout);
  /// Topic names, sorted. Internal topics are recognised by the "__" prefix (metadata in 2.0.2
  /// has no is_internal flag). Errors: KafkaException _TIMED_OUT / _TRANSPORT.
  std::vector<std::string> list_topics(bool include_internal, std::chrono::milliseconds timeout);
  /// Cluster id, controller and brokers. Errors: KafkaException _TIMED_OUT / _TRANSPORT.
  ClusterDescription describe_cluster(std::chrono::milliseconds timeout);
  /// Low and high watermark of one partition, asked from its leader. `high` is the log end
  /// offset even while a transaction is open: Admin's handle asks with read_uncommitted. (With
  /// librdkafka's default read_committed, rd_kafka_query_watermark_offsets answers the last
  /// stable offset, the first offset of the oldest open transaction, as a consumer sees it.)
  /// A topic created a moment ago may not yet be in the metadata of the broker that answers,
  /// and a leader may be moving: those answers are asked again until `timeout`.
  /// Errors: KafkaException UNKNOWN_TOPIC_OR_PART, _UNKNOWN_PARTITION, NOT_LEADER_FOR_PARTITION
  /// (still so when `timeout` ends), _TIMED_OUT.
  WatermarkOffsets watermark_offsets(const std::string& topic, std::int32_t partition,
                                     std::chrono::milliseconds timeout);

  /// Every group on every broker, with members. Partial answers (some brokers silent) are
  /// returned as they are. Errors: KafkaException _TIMED_OUT, _TRANSPORT.
  std::vector<GroupDescription> list_groups(std::chrono::milliseconds timeout);
  /// One group (state "Dead" with no members when it does not exist).
  /// Errors: KafkaException COORDINATOR_NOT_AVAILABLE, GROUP_AUTHORIZATION_FAILED, _TIMED_OUT.
  GroupDescription describe_group(const std::string& group,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// The group's committed offsets for `partitions` (empty: every partition it committed), each
  /// offset_invalid when nothing is committed. Errors: KafkaException GROUP_ID_NOT_FOUND,
  /// COORDINATOR_*, GROUP_AUTHORIZATION_FAILED, _TIMED_OUT.
  std::vector<TopicPartition> committed_offsets(const std::string& group,
                                                const std::vector<TopicPartition>& partitions,
                                                std::chrono::milliseconds timeout);
  /// Sets the committed offsets of `group` (each `offset` is the next record to read, >= 0), as
  /// if the group had committed them; a group that does not exist yet is created with them.
  /// The broker accepts this only while the group has no active members.
  /// Errors: KafkaException UNKNOWN_MEMBER_ID naming the first refused partition (the group has
  /// active members: the broker takes the admin's commit for one from an unknown member),
  /// UNKNOWN_TOPIC_OR_PART, GROUP_AUTHORIZATION_FAILED, _INVALID_ARG (an empty list, a
  /// negative offset or a partition named twice), _TIMED_OUT; NOT_COORDINATOR /
  /// COORDINATOR_LOAD_IN_PROGRESS only when they outlast `timeout` (they are retried).
  void alter_group_offsets(const std::string& group, const std::vector<TopicPartition>& offsets,
                           std::chrono::milliseconds timeout);
  /// Deletes an empty group with its committed offsets.
  /// Errors: KafkaException NON_EMPTY_GROUP (members are active), GROUP_ID_NOT_FOUND,
  /// GROUP_AUTHORIZATION_FAILED, _TIMED_OUT; coordinator errors only when they outlast
  /// `timeout` (they are retried).
  void delete_group(const std::string& group, std::chrono::milliseconds timeout);
  /// Adds ACL bindings (adding one that exists already is no error); one Error per binding, in
  /// order. Errors per binding: SECURITY_DISABLED (no authorizer on the cluster),
  /// CLUSTER_AUTHORIZATION_FAILED (only principals with ALTER on the cluster may change ACLs),
  /// INVALID_REQUEST with the broker's text. Errors: KafkaException _INVALID_ARG naming the
  /// binding (an `any` field, an empty name; a TRANSACTIONAL_ID resource with librdkafka
  /// < 2.6.0, which cannot send one), _TIMED_OUT.
  [[nodiscard]] std::vector<Error> create_acls(const std::vector<AclBinding>& acls,
                                               std::chrono::milliseconds timeout);
  /// create_acls() of one binding. Errors: KafkaException with its Error.
  void create_acl(const AclBinding& acl, std::chrono::milliseconds timeout);
  /// The bindings `filter` selects, sorted by resource then principal. With librdkafka < 2.6.0 a
  /// TRANSACTIONAL_ID filter is asked as ANY and narrowed here to the bindings librdkafka could
  /// not name (resource_type `unknown`: it maps type 5 to UNKNOWN).
  /// Beware: librdkafka (2.0.2, and still in 2.12) drops DescribeAcls' top-level error code, so
  /// a principal without DESCRIBE on the cluster gets an empty list, not
  /// CLUSTER_AUTHORIZATION_FAILED (lessons/p8_security shows it). An empty answer proves
  /// nothing unless the caller may describe the cluster.
  /// Errors: KafkaException _INVALID_ARG, _TIMED_OUT, _TRANSPORT.
  std::vector<AclBinding> describe_acls(const AclBindingFilter& filter,
                                        std::chrono::milliseconds timeout);
  /// Deletes every binding `filter` selects and returns them (empty: nothing matched).
  /// Errors: KafkaException SECURITY_DISABLED, CLUSTER_AUTHORIZATION_FAILED, _INVALID_ARG (a
  /// TRANSACTIONAL_ID filter with librdkafka < 2.6.0), _TIMED_OUT.
  std::vector<AclBinding> delete_acls(const AclBindingFilter& filter,
                                      std::chrono::milliseconds timeout);

  /// librdkafka's instance name. Errors: none.
  std::string name() const;
  /// The underlying handle, for librdkafka calls this class does not wrap. Errors: none.
  rd_kafka_t* native() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klab::client
