#include "klab/lab/topic_plan.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {

using Kind = TopicChange::Kind;

[[noreturn]] void bad(std::string_view origin, const YAML::Node& at, const std::string& what) {
  auto mark = at.Mark();
  throw LabError(LabError::Kind::invalid_input,
                 fmt::format("{}:{}: {}", origin, mark.is_null() ? 0 : mark.line + 1, what));
}

int positive_int(std::string_view origin, const YAML::Node& entry, const char* field,
                 const std::string& topic) {
  auto node = entry[field];
  if (!node) bad(origin, entry, fmt::format("topic {} has no {}", topic, field));
  int value = 0;
  try {
    value = node.as<int>();
  } catch (const YAML::Exception&) {
    bad(origin, node, fmt::format("{} of topic {} must be a whole number", field, topic));
  }
  if (value < 1) bad(origin, node, fmt::format("{} of topic {} must be at least 1", field, topic));
  return value;
}

DesiredTopic parse_entry(std::string_view origin, const YAML::Node& entry) {
  if (!entry.IsMap()) bad(origin, entry, "each entry of topics: needs name, partitions, ...");
  static const std::set<std::string> known{"name", "partitions", "replication_factor", "configs"};
  for (const auto& field : entry) {
    auto key = field.first.as<std::string>();
    if (!known.contains(key))
      bad(origin, field.first,
          fmt::format("unknown field '{}' (known: name, partitions, replication_factor, configs)",
                      key));
  }
  DesiredTopic topic;
  if (!entry["name"] || !entry["name"].IsScalar() || entry["name"].as<std::string>().empty())
    bad(origin, entry, "a topic without a name");
  topic.name = entry["name"].as<std::string>();
  topic.partitions = positive_int(origin, entry, "partitions", topic.name);
  topic.replication_factor = positive_int(origin, entry, "replication_factor", topic.name);
  if (auto configs = entry["configs"]) {
    if (!configs.IsMap())
      bad(origin, configs, fmt::format("configs of {} must be a map", topic.name));
    for (const auto& kv : configs) {
      if (!kv.second.IsScalar())
        bad(origin, kv.second,
            fmt::format("config {} of {} must be a single value", kv.first.as<std::string>(),
                        topic.name));
      topic.configs[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
  }
  return topic;
}

TopicChange change(Kind kind, const std::string& topic, std::string detail,
                   DesiredTopic desired = {}) {
  return {kind, topic, std::move(detail), std::move(desired)};
}

std::string config_diff(const std::map<std::string, std::string>& from,
                        const std::map<std::string, std::string>& to) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : to) {
    auto it = from.find(key);
    if (it == from.end())
      parts.push_back(fmt::format("{}: (default) -> {}", key, value));
    else if (it->second != value)
      parts.push_back(fmt::format("{}: {} -> {}", key, it->second, value));
  }
  for (const auto& [key, value] : from)
    if (!to.contains(key)) parts.push_back(fmt::format("{}: {} -> (default)", key, value));
  std::string joined;
  for (const auto& p : parts) joined += (joined.empty() ? "" : ", ") + p;
  return joined;
}

}  // namespace

std::vector<DesiredTopic> parse_topics_yaml(std::string_view text, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw LabError(LabError::Kind::invalid_input,
                   fmt::format("{}:{}: not YAML: {}", origin, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap() || !root["topics"] || !root["topics"].IsSequence())
    throw LabError(
        LabError::Kind::invalid_input,
        fmt::format("{}: expected a `topics:` list (see `klab topics plan --help`)", origin));
  std::vector<DesiredTopic> topics;
  std::set<std::string> names;
  for (const auto& entry : root["topics"]) {
    auto topic = parse_entry(origin, entry);
    if (!names.insert(topic.name).second)
      bad(origin, entry, fmt::format("topic {} is listed twice", topic.name));
    topics.push_back(std::move(topic));
  }
  return topics;
}

std::vector<DesiredTopic> load_topics_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw LabError(LabError::Kind::not_found,
                   fmt::format("cannot read topics file {}", path.string()));
  std::stringstream text;
  text << in.rdbuf();
  return parse_topics_yaml(text.str(), path.string());
}

std::vector<ObservedTopic> observe_topics(klab::client::Admin& admin,
                                          std::chrono::milliseconds timeout) {
  std::vector<ObservedTopic> observed;
  auto names = admin.list_topics(false, timeout);
  if (names.empty()) return observed;
  for (const auto& d : admin.describe_topics(names, timeout)) {
    if (d.error) continue;  // deleted between the two calls
    ObservedTopic t{d.name,
                    static_cast<int>(d.partitions.size()),
                    d.partitions.empty() ? 0 : static_cast<int>(d.partitions[0].replicas.size()),
                    {}};
    for (const auto& entry : admin.describe_topic_config(d.name, timeout))
      if (entry.source == "DYNAMIC_TOPIC_CONFIG" && entry.value)
        t.overrides[entry.name] = *entry.value;
    observed.push_back(std::move(t));
  }
  return observed;
}

bool TopicPlan::refused() const {
  return std::any_of(changes.begin(), changes.end(),
                     [](const auto& c) { return c.kind == Kind::refused; });
}

std::size_t TopicPlan::actions() const {
  return std::count_if(changes.begin(), changes.end(), [](const auto& c) {
    return c.kind != Kind::refused && c.kind != Kind::unmanaged;
  });
}

TopicPlan plan_topics(const std::vector<DesiredTopic>& desired,
                      const std::vector<ObservedTopic>& observed, bool allow_delete,
                      std::string_view scope) {
  std::map<std::string, const ObservedTopic*> on_cluster;
  for (const auto& t : observed)
    if (t.name.starts_with(scope)) on_cluster[t.name] = &t;
  std::map<std::string, const DesiredTopic*> in_file;
  for (const auto& t : desired) {
    if (!t.name.starts_with(scope))
      throw LabError(LabError::Kind::invalid_input,
                     fmt::format("topic {} is outside the managed prefix '{}'", t.name, scope));
    in_file[t.name] = &t;
  }

  TopicPlan plan;
  for (const auto& [name, want] : in_file) {
    auto it = on_cluster.find(name);
    if (it == on_cluster.end()) {
      plan.changes.push_back(
          change(Kind::create, name,
                 fmt::format("{} partitions, replication factor {}{}", want->partitions,
                             want->replication_factor,
                             want->configs.empty() ? "" : ", " + config_diff({}, want->configs)),
                 *want));
      continue;
    }
    const auto& have = *it->second;
    bool changed = false;
    if (want->replication_factor != have.replication_factor) {
      plan.changes.push_back(change(
          Kind::refused, name,
          fmt::format("replication factor {} -> {}: a reassignment moves data between brokers; "
                      "do it with kafka-reassign-partitions, then update the file",
                      have.replication_factor, want->replication_factor)));
      changed = true;
    }
    if (want->partitions < have.partitions) {
      plan.changes.push_back(
          change(Kind::refused, name,
                 fmt::format("{} -> {} partitions: Kafka cannot remove partitions; recreate the "
                             "topic or put {} in the file",
                             have.partitions, want->partitions, have.partitions)));
      changed = true;
    } else if (want->partitions > have.partitions) {
      plan.changes.push_back(change(Kind::add_partitions, name,
                                    fmt::format("{} -> {} partitions (keys move to other "
                                                "partitions)",
                                                have.partitions, want->partitions),
                                    *want));
      changed = true;
    }
    if (want->configs != have.overrides) {
      plan.changes.push_back(
          change(Kind::alter_configs, name, config_diff(have.overrides, want->configs), *want));
      changed = true;
    }
    if (!changed) plan.unchanged.push_back(name);
  }
  for (const auto& [name, have] : on_cluster) {
    if (in_file.contains(name)) continue;
    if (allow_delete)
      plan.changes.push_back(
          change(Kind::delete_topic, name,
                 fmt::format("not in the file ({} partitions, all records)", have->partitions)));
    else
      plan.changes.push_back(
          change(Kind::unmanaged, name, "not in the file; kept (--allow-delete deletes it)"));
  }
  std::stable_sort(plan.changes.begin(), plan.changes.end(),
                   [](const auto& a, const auto& b) { return a.topic < b.topic; });
  return plan;
}

std::string_view to_string(TopicChange::Kind kind) {
  switch (kind) {
    case Kind::create:
      return "create";
    case Kind::add_partitions:
      return "add partitions";
    case Kind::alter_configs:
      return "alter configs";
    case Kind::delete_topic:
      return "delete";
    case Kind::unmanaged:
      return "unmanaged";
    case Kind::refused:
      return "refused";
  }
  return "?";
}

void apply_topic_plan(klab::client::Admin& admin, const TopicPlan& plan,
                      const std::function<void(const TopicChange&)>& done,
                      std::chrono::milliseconds timeout) {
  if (plan.refused())
    throw LabError(LabError::Kind::conflict,
                   "the plan has refused changes; nothing was applied (see `klab topics plan`)");
  for (const auto& c : plan.changes) {
    switch (c.kind) {
      case Kind::create:
        admin.create_topic({.name = c.topic,
                            .partitions = c.desired.partitions,
                            .replication_factor = c.desired.replication_factor,
                            .configs = c.desired.configs},
                           timeout);
        break;
      case Kind::add_partitions:
        admin.create_partitions(c.topic, c.desired.partitions, timeout);
        break;
      case Kind::alter_configs:
        admin.alter_topic_config(c.topic, c.desired.configs, timeout);
        break;
      case Kind::delete_topic:
        admin.delete_topic(c.topic, timeout);
        break;
      case Kind::unmanaged:
      case Kind::refused:
        continue;
    }
    done(c);
  }
}

}  // namespace klab::lab
