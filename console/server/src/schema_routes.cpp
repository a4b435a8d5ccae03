// The schema registry beside the cluster (8.1.2): its subjects with every version, and one
// schema by the id an Avro record carries, with the subject versions that use it.
#include "api_error.hpp"
#include "klab/schema/registry_client.hpp"
#include "routes.hpp"

namespace klab::console {

using nlohmann::json;

namespace {

klab::schema::RegistryClient registry(ServerContext& ctx) {
  if (ctx.options.registry_url.empty())
    throw ApiError(404, "no_registry",
                   "no schema registry: start one with `klab up --with-registry` (or set "
                   "KLAB_REGISTRY_URL) and restart the console");
  return klab::schema::RegistryClient(ctx.options.registry_url);
}

// A registry failure as the API's error: its status when it answered, 502 when unreachable.
template <typename F>
auto ask(F&& f) {
  try {
    return f();
  } catch (const klab::schema::RegistryError& e) {
    throw ApiError(e.status() == 404 ? 404 : 502, "registry", e.what());
  }
}

}  // namespace

void add_schema_routes(httplib::Server& server, ServerContext& ctx) {
  server.Get(
      "/api/schemas", guarded([&ctx](const httplib::Request&, httplib::Response& res) {
        json out{{"registry_url", ctx.options.registry_url}, {"subjects", json::array()}};
        if (ctx.options.registry_url.empty()) {
          send_json(res, out);
          return;
        }
        auto client = registry(ctx);
        for (const auto& subject : ask([&] { return client.subjects(); })) {
          json versions = json::array();
          for (int v : ask([&] { return client.versions(subject); })) {
            auto sv = ask([&] { return client.version(subject, v); });
            versions.push_back({{"version", sv.version}, {"id", sv.id}, {"schema", sv.schema}});
          }
          out["subjects"].push_back({{"subject", subject}, {"versions", versions}});
        }
        send_json(res, out);
      }));
  server.Get(R"(/api/schemas/ids/(\d+))",
             guarded([&ctx](const httplib::Request& req, httplib::Response& res) {
               int id = std::stoi(req.matches[1]);
               auto client = registry(ctx);
               auto schema = ask([&] { return client.schema_by_id(id); });
               json used_by = json::array();
               for (const auto& subject : ask([&] { return client.subjects(); }))
                 for (int v : ask([&] { return client.versions(subject); }))
                   if (ask([&] { return client.version(subject, v); }).id == id)
                     used_by.push_back({{"subject", subject}, {"version", v}});
               send_json(res, {{"id", id}, {"schema", schema}, {"used_by", used_by}});
             }));
}

}  // namespace klab::console
