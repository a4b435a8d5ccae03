// topics list|create|describe|delete|plan|apply
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <chrono>
#include <map>
#include <thread>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/admin.hpp"
#include "klab/lab/topic_plan.hpp"

namespace klab::cli {
namespace {
using namespace std::chrono_literals;

struct CreateOptions {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: the broker's default.replication.factor
  std::vector<std::string> configs;
};

klab::client::Admin admin(const Context& ctx) { return klab::client::Admin(ctx.client_config()); }

void cmd_list(bool internal) {
  auto ctx = make_context();
  auto topics = admin(ctx).list_topics(internal, 10s);
  std::sort(topics.begin(), topics.end());
  for (const auto& t : topics) fmt::print("{}\n", t);
  if (topics.empty()) fmt::print(stderr, "(no topics yet: `klab topics create NAME`)\n");
}

void cmd_create(const CreateOptions& o) {
  auto ctx = make_context();
  std::map<std::string, std::string> configs;
  for (const auto& kv : o.configs) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw CommandError(fmt::format("--config '{}' must look like key=value", kv), 2);
    configs[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  try {
    admin(ctx).create_topic({.name = o.name,
                             .partitions = o.partitions,
                             .replication_factor = o.replication_factor,
                             .configs = configs},
                            30s);
  } catch (const klab::KafkaException& e) {
    throw_if_refused(
        ctx, e.error(),
        {klab::client::AclOperation::create, klab::client::AclResourceType::topic, o.name});
    throw;
  }
  fmt::print("Created topic {} with {} partition(s).\n", o.name, o.partitions);
}

// A just-created topic's leaders may not be known to every broker yet: retry retriable errors.
klab::client::WatermarkOffsets watermarks(klab::client::Admin& a, const std::string& topic,
                                          int partition) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    try {
      return a.watermark_offsets(topic, partition, 5s);
    } catch (const klab::KafkaException& e) {
      if (!e.error().retriable() || std::chrono::steady_clock::now() > deadline) throw;
    }
    std::this_thread::sleep_for(200ms);
  }
}

void cmd_describe(const std::vector<std::string>& names) {
  auto ctx = make_context();
  auto a = admin(ctx);
  for (const auto& t : a.describe_topics(names, 10s)) {
    throw_if_refused(
        ctx, t.error,
        {klab::client::AclOperation::describe, klab::client::AclResourceType::topic, t.name});
    if (t.error) throw CommandError(fmt::format("topic {}: {}", t.name, t.error.to_string()));
    fmt::print("Topic {}  partitions {}  replication factor {}\n", t.name, t.partitions.size(),
               t.partitions.empty() ? 0 : t.partitions[0].replicas.size());
    fmt::print("  {:<9} {:<7} {:<12} {:<12} {:>10} {:>10}\n", "partition", "leader", "replicas",
               "isr", "start", "end");
    for (const auto& p : t.partitions) {
      auto wm = watermarks(a, t.name, p.id);
      fmt::print("  {:<9} {:<7} {:<12} {:<12} {:>10} {:>10}\n", p.id, p.leader,
                 fmt::format("{}", fmt::join(p.replicas, ",")),
                 fmt::format("{}", fmt::join(p.isr, ",")), wm.low, wm.high);
    }
  }
}

void cmd_delete(const std::vector<std::string>& names) {
  auto ctx = make_context();
  int failed = 0;
  for (const auto& r : admin(ctx).delete_topics(names, 30s)) {
    if (r.error) {
      ++failed;
      if (auto line = klab::lab::explain_refusal(
              r.error, klab::lab::principal_of(ctx.target),
              {klab::client::AclOperation::delete_, klab::client::AclResourceType::topic, r.name}))
        fmt::print(stderr, "klab: {}\n", *line);
      else
        fmt::print(stderr, "klab: topic {} was not deleted: {}\n", r.name, r.error.to_string());
    } else {
      fmt::print("Deleted topic {}.\n", r.name);
    }
  }
  if (failed)
    throw CommandError(fmt::format("{} of {} topic(s) not deleted", failed, names.size()));
}

struct FileOptions {
  std::string file;
  bool allow_delete = false;
  std::string prefix;
};

klab::lab::TopicPlan print_plan(klab::client::Admin& a, const FileOptions& o) {
  auto desired = klab::lab::load_topics_file(o.file);
  auto plan =
      klab::lab::plan_topics(desired, klab::lab::observe_topics(a, 30s), o.allow_delete, o.prefix);
  for (const auto& c : plan.changes)
    fmt::print("  {:<15} {:<24} {}\n", klab::lab::to_string(c.kind), c.topic, c.detail);
  fmt::print("{} change(s) to apply, {} topic(s) already as the file says.\n", plan.actions(),
             plan.unchanged.size());
  return plan;
}

void refuse_if_needed(const klab::lab::TopicPlan& plan) {
  if (plan.refused())
    throw CommandError(
        "the file asks for what Kafka cannot do in place (see `refused` above); nothing was "
        "applied");
}

void cmd_plan(const FileOptions& o) {
  auto ctx = make_context();
  auto a = admin(ctx);
  refuse_if_needed(print_plan(a, o));
}

void cmd_apply(const FileOptions& o) {
  auto ctx = make_context();
  auto a = admin(ctx);
  auto plan = print_plan(a, o);
  refuse_if_needed(plan);
  klab::lab::apply_topic_plan(
      a, plan,
      [](const auto& c) { fmt::print("applied: {} {}\n", klab::lab::to_string(c.kind), c.topic); },
      30s);
  fmt::print("Cluster matches {}.\n", o.file);
}

}  // namespace

void add_topic_commands(CLI::App& app) {
  auto* topics = app.add_subcommand(
      "topics", "List, create, describe and delete topics; plan and apply a topics file");
  topics->require_subcommand(1);

  static bool internal = false;
  auto* list = topics->add_subcommand("list", "Topic names");
  list->add_flag("--internal", internal, "include internal topics such as __consumer_offsets");
  list->callback([] { cmd_list(internal); });

  static CreateOptions create;
  auto* c = topics->add_subcommand("create", "Create a topic");
  c->add_option("name", create.name, "topic name")->required();
  c->add_option("--partitions,-p", create.partitions, "partition count (default 1)")
      ->check(CLI::PositiveNumber);
  c->add_option("--replication-factor,-r", create.replication_factor,
                "replicas per partition (default: the broker's default.replication.factor)");
  c->add_option("--config,-c", create.configs, "topic config key=value (repeatable)");
  c->callback([] { cmd_create(create); });

  static std::vector<std::string> describe_names;
  auto* d = topics->add_subcommand("describe", "Partitions, leaders, replicas, ISR and offsets");
  d->add_option("names", describe_names, "topic names")->required();
  d->callback([] { cmd_describe(describe_names); });

  static std::vector<std::string> delete_names;
  auto* del = topics->add_subcommand("delete", "Delete topics and all their records");
  del->add_option("names", delete_names, "topic names")->required();
  del->callback([] { cmd_delete(delete_names); });

  static FileOptions file;
  const std::string shape =
      "topics:\n  - name: orders\n    partitions: 6\n    replication_factor: 3\n    configs:\n"
      "      retention.ms: \"604800000\"";
  auto* plan = topics->add_subcommand(
      "plan", "What `apply` would change to make the cluster match a topics file:\n" + shape);
  auto* apply = topics->add_subcommand(
      "apply", "Make the cluster match a topics file (creates, adds partitions, sets configs)");
  for (auto* command : {plan, apply}) {
    command->add_option("-f,--file", file.file, "the topics file (YAML)")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_flag("--allow-delete", file.allow_delete,
                      "delete topics that are not in the file (with all their records)");
    command->add_option("--prefix", file.prefix,
                        "manage only topics whose names start with this; leave the rest alone");
  }
  plan->callback([] { cmd_plan(file); });
  apply->callback([] { cmd_apply(file); });
}

}  // namespace klab::cli
