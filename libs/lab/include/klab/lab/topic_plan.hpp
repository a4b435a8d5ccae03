#pragma once
// Declarative topic management (8.1.1): a topics file says what the cluster should hold; the plan
// is the difference, computed without touching anything; apply carries it out. Partitions only
// grow and replication factors are never changed in passing: both are refused by name.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/admin.hpp"

namespace klab::lab {

/// One entry of a topics file.
struct DesiredTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> configs;  ///< topic overrides; anything else is default
};

/// Parses the YAML of a topics file (`topics:` list of name / partitions / replication_factor /
/// configs). `origin` names the file in messages.
/// Errors: LabError invalid_input naming origin, line and the field: not YAML, no `topics` list,
/// a missing or empty name, a duplicate name, partitions or replication_factor missing or below
/// 1, a config value that is not a scalar, an unknown field.
std::vector<DesiredTopic> parse_topics_yaml(std::string_view text, std::string_view origin);

/// Reads and parses a topics file. Errors: LabError not_found for a missing file, else as
/// parse_topics_yaml().
std::vector<DesiredTopic> load_topics_file(const std::filesystem::path& path);

/// What the cluster holds for one topic.
struct ObservedTopic {
  std::string name;
  int partitions = 0;
  int replication_factor = 0;
  std::map<std::string, std::string> overrides;  ///< DYNAMIC_TOPIC_CONFIG entries only
};

/// Every non-internal topic with its partition count, replication factor and overrides.
/// Errors: KafkaException from Admin (_TIMED_OUT, authorization).
std::vector<ObservedTopic> observe_topics(klab::client::Admin& admin,
                                          std::chrono::milliseconds timeout);

struct TopicChange {
  enum class Kind {
    create,          ///< in the file, not on the cluster
    add_partitions,  ///< the file asks for more partitions
    alter_configs,   ///< overrides differ: the topic ends with exactly the file's configs
    delete_topic,    ///< on the cluster, not in the file, and deletion was allowed
    unmanaged,       ///< on the cluster, not in the file: kept (apply --allow-delete deletes)
    refused,         ///< fewer partitions or another replication factor: nothing is applied
  };
  Kind kind = Kind::create;
  std::string topic;
  std::string detail;  ///< "6 -> 12 partitions", "retention.ms: 86400000 -> 604800000", why refused
  DesiredTopic desired;
};

struct TopicPlan {
  std::vector<TopicChange> changes;  ///< by topic name, then kind
  std::vector<std::string> unchanged;
  bool refused() const;
  /// Changes apply would make (create, add_partitions, alter_configs, delete_topic).
  std::size_t actions() const;
};

/// The difference between the file and the cluster. Pure: touches nothing. A non-empty `scope`
/// is a name prefix: only topics starting with it are managed, every other topic is left out of
/// the plan (a team owning `orders.` on a shared cluster).
/// Errors: LabError invalid_input for a file topic outside `scope`.
TopicPlan plan_topics(const std::vector<DesiredTopic>& desired,
                      const std::vector<ObservedTopic>& observed, bool allow_delete,
                      std::string_view scope = "");

/// "create", "add partitions", ... as `klab topics plan` prints them.
std::string_view to_string(TopicChange::Kind kind);

/// Carries out every action of `plan` in order, calling `done` after each.
/// Errors: LabError conflict when the plan has a refused change (nothing is applied then);
/// KafkaException from the broker (POLICY_VIOLATION, INVALID_REPLICATION_FACTOR, ...), with the
/// changes before it already applied.
void apply_topic_plan(klab::client::Admin& admin, const TopicPlan& plan,
                      const std::function<void(const TopicChange&)>& done,
                      std::chrono::milliseconds timeout);

}  // namespace klab::lab
