// A secured cluster's ACLs and SCRAM users, read with the console's own client properties
// (KLAB_CLIENT_PROPERTIES, or the secured lab's admin), as `klab acls list` / `klab users list`.
#include "api_error.hpp"
#include "klab/client/acl.hpp"
#include "klab/client/admin.hpp"
#include "klab/lab/access_refusal.hpp"
#include "klab/lab/acls.hpp"
#include "klab/lab/lab_error.hpp"
#include "klab/lab/scram_users.hpp"
#include "routes.hpp"

namespace klab::console {

using nlohmann::json;

namespace {

json acl_json(const klab::client::AclBinding& b) {
  return {{"principal", b.principal},
          {"host", b.host},
          {"permission", klab::client::name_of(b.permission)},
          {"operation", klab::client::name_of(b.operation)},
          {"resource_type", klab::client::name_of(b.resource_type)},
          {"resource_name", b.resource_name},
          {"pattern_type", klab::client::name_of(b.pattern_type)}};
}

json security_json(ServerContext& ctx) {
  json out{{"principal", klab::lab::principal_of(ctx.options.target)},
           {"authorizer", true},
           {"acls", json::array()},
           {"users", json::array()},
           {"users_error", nullptr}};
  // DescribeAcls cannot say "no authorizer": librdkafka drops that answer's error code.
  if (!ctx.access.admin_call([](klab::client::Admin& a) { return klab::lab::has_authorizer(a); })) {
    out["authorizer"] = false;  // a plaintext lab: no ACLs, no users to show
    return out;
  }
  auto acls = ctx.access.admin_call(
      [&](klab::client::Admin& a) { return a.describe_acls({}, request_timeout); });
  for (const auto& b : acls) out["acls"].push_back(acl_json(b));
  // Kafka's kafka-configs (a JVM, a few seconds): librdkafka 2.0.2 has no SCRAM admin API.
  try {
    ctx.access.count();
    for (const auto& u :
         klab::lab::list_scram_users(klab::cluster::LabPaths::discover(), ctx.options.target))
      out["users"].push_back({{"name", u.name}, {"mechanisms", u.mechanisms}});
  } catch (const klab::lab::LabError& e) {
    out["users_error"] = e.what();
  } catch (const std::exception& e) {
    out["users_error"] = e.what();
  }
  return out;
}

}  // namespace

void add_security_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get("/api/security", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
               send_json(res, security_json(ctx));
             }));
}

}  // namespace klab::console
