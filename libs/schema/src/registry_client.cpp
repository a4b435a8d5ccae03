#include "klab/schema/registry_client.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>

namespace klab::schema {
namespace {
using nlohmann::json;
constexpr const char* content_type = "application/vnd.schemaregistry.v1+json";

std::string encode(const std::string& segment) {
  std::string out;
  for (unsigned char c : segment) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

}  // namespace

RegistryClient::RegistryClient(std::string base_url) : base_url_(std::move(base_url)) {
  static const std::regex re(R"(http://([^/:]+):(\d+)(/.*)?)");
  std::smatch m;
  if (!std::regex_match(base_url_, m, re))
    throw RegistryError(0, "schema registry URL '" + base_url_ + "' is not http://host:port/path");
  host_ = m[1];
  port_ = std::stoi(m[2]);
  prefix_ = m[3].matched ? m[3].str() : "";
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
}

std::string RegistryClient::request(const std::string& method, const std::string& path,
                                    const std::string& body) {
  httplib::Client client(host_, port_);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(30));
  auto target = prefix_ + path;
  httplib::Result r = method == "GET"   ? client.Get(target)
                      : method == "PUT" ? client.Put(target, body, content_type)
                                        : client.Post(target, body, content_type);
  if (!r)
    throw RegistryError(0, "the schema registry at " + base_url_ + " cannot be reached (" +
                               httplib::to_string(r.error()) + "): is it running?");
  if (r->status < 200 || r->status >= 300) {
    std::string message = r->body;
    try {
      message = json::parse(r->body).value("message", r->body);
    } catch (const json::exception&) {
    }
    throw RegistryError(r->status,
                        method + " " + path + ": " + std::to_string(r->status) + " " + message);
  }
  return r->body;
}

int RegistryClient::register_schema(const std::string& subject, const std::string& schema) {
  auto body = json{{"schema", schema}, {"schemaType", "AVRO"}}.dump();
  int id = json::parse(request("POST", "/subjects/" + encode(subject) + "/versions", body))
               .at("id")
               .get<int>();
  std::lock_guard lock(mutex_);
  by_id_.emplace(id, schema);
  return id;
}

bool RegistryClient::compatible(const std::string& subject, const std::string& schema) {
  auto body = json{{"schema", schema}, {"schemaType", "AVRO"}}.dump();
  return json::parse(request("POST",
                             "/compatibility/subjects/" + encode(subject) + "/versions/latest",
                             body))
      .value("is_compatible", false);
}

void RegistryClient::set_compatibility(const std::string& subject, const std::string& level) {
  request("PUT", "/config/" + encode(subject), json{{"compatibility", level}}.dump());
}

std::string RegistryClient::schema_by_id(int id) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  }
  auto schema = json::parse(request("GET", "/schemas/ids/" + std::to_string(id)))
                    .at("schema")
                    .get<std::string>();
  std::lock_guard lock(mutex_);
  by_id_.emplace(id, schema);
  return schema;
}

std::vector<std::string> RegistryClient::subjects() {
  return json::parse(request("GET", "/subjects")).get<std::vector<std::string>>();
}

std::vector<int> RegistryClient::versions(const std::string& subject) {
  return json::parse(request("GET", "/subjects/" + encode(subject) + "/versions"))
      .get<std::vector<int>>();
}

SubjectVersion RegistryClient::version(const std::string& subject, int version) {
  auto j = json::parse(
      request("GET", "/subjects/" + encode(subject) + "/versions/" + std::to_string(version)));
  return {j.value("subject", subject), j.value("version", version), j.value("id", 0),
          j.value("schema", "")};
}

}  // namespace klab::schema
