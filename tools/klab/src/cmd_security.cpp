// acls list|create|delete and users list|add|delete: who may do what on a secured cluster.
#include <fmt/core.h>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/acl.hpp"
#include "klab/client/version.hpp"
#include "klab/lab/access_refusal.hpp"
#include "klab/lab/acls.hpp"
#include "klab/lab/scram_users.hpp"

namespace klab::cli {
namespace {
using klab::client::AclBinding;
using klab::client::AclBindingFilter;

struct AclOptions {
  std::string principal;
  std::string host;
  std::vector<std::string> operations;
  std::string permission;
  std::string resource_type;
  std::string resource;
  std::string pattern;
  bool all = false;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

template <typename T, typename Parse>
T parsed(const std::string& flag, const std::string& value, Parse parse,
         const std::vector<std::string>& choices) {
  if (auto v = parse(value)) return *v;
  throw CommandError(fmt::format("{} '{}' is not one of: {}", flag, value, joined(choices)), 2);
}

AclBindingFilter filter_of(const AclOptions& o) {
  AclBindingFilter f;
  if (!o.principal.empty()) f.principal = o.principal;
  if (!o.host.empty()) f.host = o.host;
  if (!o.resource.empty()) f.resource_name = o.resource;
  if (!o.resource_type.empty())
    f.resource_type = parsed<client::AclResourceType>("--resource-type", o.resource_type,
                                                      client::parse_acl_resource_type,
                                                      client::acl_resource_type_choices());
  if (!o.pattern.empty())
    f.pattern_type = parsed<client::AclPatternType>(
        "--pattern", o.pattern, client::parse_acl_pattern_type, {"literal", "prefixed", "match"});
  if (!o.permission.empty())
    f.permission =
        parsed<client::AclPermission>("--permission", o.permission, client::parse_acl_permission,
                                      client::acl_permission_choices());
  if (o.operations.size() > 1)
    throw CommandError("list and delete take one --operation at a time", 2);
  if (!o.operations.empty())
    f.operation =
        parsed<client::AclOperation>("--operation", o.operations.front(),
                                     client::parse_acl_operation, client::acl_operation_choices());
  if (f.resource_type == client::AclResourceType::cluster && !f.resource_name)
    f.resource_name = "kafka-cluster";
  return f;
}

void print_acls(const std::vector<AclBinding>& acls) {
  fmt::print("{:<20} {:<10} {:<6} {:<17} {:<17} {:<9} {}\n", "principal", "host", "perm",
             "operation", "resource type", "pattern", "resource");
  bool unknown = false;
  for (const auto& b : acls) {
    bool u = b.resource_type == client::AclResourceType::unknown;
    unknown = unknown || u;
    fmt::print("{:<20} {:<10} {:<6} {:<17} {:<17} {:<9} {}\n", b.principal, b.host,
               client::name_of(b.permission), client::name_of(b.operation),
               u ? "UNKNOWN*" : std::string(client::name_of(b.resource_type)),
               client::name_of(b.pattern_type), b.resource_name);
  }
  if (unknown)
    fmt::print("* a type librdkafka {} cannot name: TRANSACTIONAL_ID (or DELEGATION_TOKEN, USER)\n",
               klab::client::librdkafka_version());
}

void cmd_acls_list(const AclOptions& o) {
  auto filter = filter_of(o);
  auto ctx = make_context();
  auto acls = klab::lab::list_acls(ctx.target, filter);
  if (acls.empty()) {
    fmt::print(stderr,
               "(no ACLs match. Beware: librdkafka reports a refused DescribeAcls as an empty "
               "list, so {} sees none without DESCRIBE on the cluster)\n",
               klab::lab::principal_of(ctx.target));
    return;
  }
  print_acls(acls);
}

void cmd_acls_create(const AclOptions& o) {
  auto f = filter_of(AclOptions{
      o.principal, o.host, {}, o.permission, o.resource_type, o.resource, o.pattern, false});
  std::vector<AclBinding> acls;
  for (const auto& op : o.operations) {
    AclBinding b;
    b.principal = o.principal;
    b.host = o.host.empty() ? "*" : o.host;
    b.resource_type = f.resource_type;
    b.resource_name = f.resource_name.value_or("");
    b.pattern_type = f.pattern_type == client::AclPatternType::any ? client::AclPatternType::literal
                                                                   : f.pattern_type;
    b.permission =
        f.permission == client::AclPermission::any ? client::AclPermission::allow : f.permission;
    b.operation = parsed<client::AclOperation>("--operation", op, client::parse_acl_operation,
                                               client::acl_operation_choices());
    if (b.resource_name.empty())
      throw CommandError(
          fmt::format("--resource is required for --resource-type {}", o.resource_type), 2);
    acls.push_back(b);
  }
  auto ctx = make_context();
  klab::lab::create_acls(ctx.paths, ctx.target, acls);
  for (const auto& b : acls) fmt::print("Created: {}\n", client::to_string(b));
}

void cmd_acls_delete(const AclOptions& o) {
  if (o.principal.empty() && o.resource.empty() && o.resource_type.empty() && !o.all)
    throw CommandError(
        "that would delete every ACL: narrow it with --principal, --resource-type or "
        "--resource, or say --all",
        2);
  auto ctx = make_context();
  auto deleted = klab::lab::delete_acls(ctx.paths, ctx.target, filter_of(o));
  if (deleted.empty()) {
    fmt::print(stderr, "(no ACL matched: nothing deleted)\n");
    return;
  }
  for (const auto& b : deleted) fmt::print("Deleted: {}\n", client::to_string(b));
}

void add_acl_filter_options(CLI::App& c, AclOptions& o, bool creating) {
  auto* p = c.add_option("--principal", o.principal, "e.g. User:alice (User:* is everyone)");
  auto* op = c.add_option("--operation", o.operations,
                          "read, write, create, delete, alter, describe, cluster-action, "
                          "describe-configs, alter-configs, idempotent-write or all" +
                              std::string(creating ? " (repeatable)" : ""));
  auto* t =
      c.add_option("--resource-type", o.resource_type, "topic, group, cluster or transactional-id");
  c.add_option("--resource", o.resource,
               "the topic, group or transactional id (a prefix with --pattern prefixed); "
               "kafka-cluster for the cluster");
  c.add_option("--pattern", o.pattern,
               creating ? "literal (default) or prefixed" : "literal, prefixed or match");
  c.add_option("--permission", o.permission,
               creating ? "allow (default) or deny" : "allow or deny");
  c.add_option("--host", o.host,
               creating ? "client host the ACL applies to (default *)" : "client host");
  if (creating) {
    p->required();
    op->required();
    t->required();
  }
}

}  // namespace

void add_security_commands(CLI::App& app) {
  auto* acls = app.add_subcommand(
      "acls",
      "ACLs of a secured cluster (StandardAuthorizer): who may do what. Changing them needs "
      "ALTER on the cluster, which the lab's admin has. TRANSACTIONAL_ID ACLs go through Kafka's "
      "kafka-acls tool: librdkafka 2.0.2 cannot send that resource type");
  acls->require_subcommand(1);
  static AclOptions list_o, create_o, delete_o;
  auto* list = acls->add_subcommand("list", "ACLs matching the filters (all without any)");
  add_acl_filter_options(*list, list_o, false);
  list->callback([] { cmd_acls_list(list_o); });
  auto* create =
      acls->add_subcommand("create",
                           "Add an ACL, e.g. create --principal User:alice --operation write "
                           "--resource-type topic --resource orders");
  add_acl_filter_options(*create, create_o, true);
  create->callback([] { cmd_acls_create(create_o); });
  auto* del = acls->add_subcommand("delete", "Delete every ACL matching the filters");
  add_acl_filter_options(*del, delete_o, false);
  del->add_flag("--all", delete_o.all, "really delete every ACL when no filter is given");
  del->callback([] { cmd_acls_delete(delete_o); });

  auto* users = app.add_subcommand(
      "users",
      "SCRAM-SHA-512 users of a secured cluster. librdkafka 2.0.2 has no SCRAM admin API "
      "(DescribeUserScramCredentials / AlterUserScramCredentials came in librdkafka 2.2.0), so "
      "these commands run Kafka's own kafka-configs tool with the same cluster address and "
      "client properties");
  users->require_subcommand(1);
  users->add_subcommand("list", "Users with SCRAM credentials and their mechanisms")->callback([] {
    auto ctx = make_context();
    auto all = klab::lab::list_scram_users(ctx.paths, ctx.target);
    if (all.empty()) fmt::print(stderr, "(no SCRAM users)\n");
    for (const auto& u : all) fmt::print("{:<24} {}\n", u.name, joined(u.mechanisms));
  });
  static std::string user, password;
  auto* add = users->add_subcommand("add", "Create a user, or set a new password for one");
  add->add_option("name", user, "user name (the principal becomes User:<name>)")->required();
  add->add_option("--password", password, "at least 8 characters, without , = [ ]")->required();
  add->callback([] {
    auto ctx = make_context();
    klab::lab::add_scram_user(ctx.paths, ctx.target, user, password);
    fmt::print(
        "User {} can now log in with SCRAM-SHA-512 (principal User:{}); it may do nothing "
        "until an ACL allows it: klab acls create --principal User:{} ...\n",
        user, user, user);
  });
  auto* del_user = users->add_subcommand("delete", "Delete a user's SCRAM credential");
  del_user->add_option("name", user, "user name")->required();
  del_user->callback([] {
    auto ctx = make_context();
    klab::lab::delete_scram_user(ctx.paths, ctx.target, user);
    fmt::print("User {} can no longer log in with SCRAM (its ACLs stay until deleted)\n", user);
  });
}

}  // namespace klab::cli
