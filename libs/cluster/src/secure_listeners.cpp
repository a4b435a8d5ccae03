#include "klab/cluster/secure_listeners.hpp"

#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "klab/client/config.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/defaults.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;

namespace {

// Writes `text` (mode 0600) beside `file` and renames it over: another process reading the file
// meanwhile sees the old or the new content, never a half-written one.
void replace_file(const fs::path& file, const std::string& text) {
  auto tmp = file;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) throw ClusterError("cannot write " + tmp.string());
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
  fs::rename(tmp, file);
}

std::string address(std::uint16_t port) {
  return std::string(defaults::host) + ':' + std::to_string(port);
}

constexpr const char* scram_module = "org.apache.kafka.common.security.scram.ScramLoginModule";
constexpr const char* plain_module = "org.apache.kafka.common.security.plain.PlainLoginModule";

// Java's JAAS values are quoted strings: a quote or backslash in a password must be escaped.
std::string jaas_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

}  // namespace

const std::vector<ListenerInfo>& secure_listeners() {
  static const std::vector<ListenerInfo> all{
      {SecureListener::sasl_plaintext, "CLIENT_SASL", "SASL_PLAINTEXT", 0, ""},
      {SecureListener::sasl_ssl, "CLIENT_SASL_SSL", "SASL_SSL", defaults::sasl_ssl_port_offset,
       "-sasl-ssl"},
      {SecureListener::mtls, "CLIENT_MTLS", "SSL", defaults::mtls_port_offset, "-mtls"},
  };
  return all;
}

const ListenerInfo& listener_info(SecureListener listener) {
  for (const auto& l : secure_listeners())
    if (l.listener == listener) return l;
  throw ClusterError("unknown secure listener");
}

Properties secure_broker_properties(int id, int nodes, std::uint16_t first_client_port,
                                    std::uint16_t controller_port,
                                    const SecurityMaterial& material) {
  std::uint16_t client = first_client_port + id - 1;
  std::string listeners, advertised, protocols;
  for (const auto& l : secure_listeners()) {
    std::string entry = l.name + "://" + address(client + l.port_offset);
    listeners += entry + ',';
    advertised += entry + ',';
    protocols += l.name + ':' + l.protocol + ',';
  }
  std::string internal = "INTERNAL://" + address(client + defaults::internal_port_offset);
  std::string super_users = "User:admin";
  for (int n = 1; n <= nodes; ++n) super_users += ";User:" + node_principal_name(n);
  Properties p{
      {"listeners", listeners + internal + ",CONTROLLER://" + address(controller_port)},
      {"advertised.listeners", advertised + internal},
      {"listener.security.protocol.map", protocols + "INTERNAL:SSL,CONTROLLER:SSL"},
      {"inter.broker.listener.name", "INTERNAL"},
      // Nodes prove who they are to each other with their certificates (CN=node-<id>); SCRAM
      // cannot guard the controller listener, its credentials live in the metadata it serves.
      {"ssl.keystore.type", "PEM"},
      {"ssl.keystore.location", material.node_keystore(id).string()},
      {"ssl.truststore.type", "PEM"},
      {"ssl.truststore.location", material.ca_cert().string()},
      {"ssl.client.auth", "required"},
      {"listener.name.client_sasl_ssl.ssl.client.auth", "none"},
      {"ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT"},
      {"sasl.enabled.mechanisms", "SCRAM-SHA-512"},
      {"listener.name.client_sasl.scram-sha-512.sasl.jaas.config",
       std::string(scram_module) + " required;"},
      {"listener.name.client_sasl_ssl.scram-sha-512.sasl.jaas.config",
       std::string(scram_module) + " required;"},
      {"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
      {"super.users", super_users},
      {"allow.everyone.if.no.acl.found", "false"},
  };
  return p;
}

std::vector<std::string> scram_format_arguments(const SecurityMaterial& material) {
  std::vector<std::string> args;
  for (const auto& user : lab_users()) {
    args.push_back("--add-scram");
    args.push_back("SCRAM-SHA-512=[name=\"" + user + "\",password=\"" + material.password(user) +
                   "\"]");
  }
  return args;
}

std::string secure_bootstrap(SecureListener listener, int nodes, std::uint16_t first_client_port) {
  return defaults::bootstrap_for(nodes, first_client_port + listener_info(listener).port_offset);
}

Properties client_properties(const SecurityMaterial& material, const std::string& user,
                             SecureListener listener, const std::string& bootstrap) {
  Properties p{{"bootstrap.servers", bootstrap},
               {"security.protocol", listener_info(listener).protocol}};
  if (listener != SecureListener::mtls) {
    p["sasl.mechanisms"] = "SCRAM-SHA-512";
    p["sasl.username"] = user;
    p["sasl.password"] = material.password(user);
  }
  if (listener != SecureListener::sasl_plaintext)
    p["ssl.ca.location"] = material.ca_cert().string();
  if (listener == SecureListener::mtls) {
    p["ssl.certificate.location"] = material.client_cert(user).string();
    p["ssl.key.location"] = material.client_key(user).string();
  }
  return p;
}

Properties java_client_properties(const Properties& in, const fs::path& keystore_dir) {
  Properties out;
  auto value = [&](const std::string& key) {
    auto it = in.find(key);
    return it == in.end() ? std::string() : it->second;
  };
  std::string mechanism = value("sasl.mechanisms");
  if (mechanism.empty()) mechanism = value("sasl.mechanism");
  for (const auto& [k, v] : in) {
    if (k.rfind("sasl.", 0) == 0 || k.rfind("ssl.", 0) == 0) continue;  // translated below
    out[k] = v;
  }
  if (!mechanism.empty()) {
    out["sasl.mechanism"] = mechanism;
    if (!value("sasl.username").empty())
      out["sasl.jaas.config"] = std::string(mechanism == "PLAIN" ? plain_module : scram_module) +
                                " required username=" + jaas_quoted(value("sasl.username")) +
                                " password=" + jaas_quoted(value("sasl.password")) + ";";
  }
  if (auto ca = value("ssl.ca.location"); !ca.empty()) {
    out["ssl.truststore.type"] = "PEM";
    out["ssl.truststore.location"] = ca;
  }
  auto cert = value("ssl.certificate.location");
  auto key = value("ssl.key.location");
  if (!cert.empty() && !key.empty()) {
    // Java's PEM key store wants the key and its certificate in one file.
    fs::create_directories(keystore_dir);
    auto combined = keystore_dir / (fs::path(cert).stem().string() + ".java-keystore.pem");
    std::ifstream k(key), c(cert);
    if (!k || !c)
      throw ClusterError("cannot read " + key + " or " + cert +
                         ": check ssl.key.location and ssl.certificate.location");
    std::stringstream pem;
    pem << k.rdbuf() << c.rdbuf();
    replace_file(combined, pem.str());
    out["ssl.keystore.type"] = "PEM";
    out["ssl.keystore.location"] = combined.string();
  }
  if (auto algo = value("ssl.endpoint.identification.algorithm"); !algo.empty())
    out["ssl.endpoint.identification.algorithm"] = algo == "none" ? "" : algo;
  return out;
}

fs::path java_command_config(const fs::path& librdkafka_file) {
  auto config = klab::client::Config::from_properties_file(librdkafka_file);
  Properties in(config.values().begin(), config.values().end());
  // One folder per source file: test clusters of parallel tests all have an admin-mtls.properties
  // of their own, with their own CA and keys.
  auto base = fs::temp_directory_path() / ("klab-" + std::to_string(getuid()));
  fs::create_directories(base);
  fs::permissions(base, fs::perms::owner_all);
  auto dir =
      base / std::to_string(std::hash<std::string>{}(fs::absolute(librdkafka_file).string()));
  fs::create_directories(dir);
  auto file = dir / (librdkafka_file.stem().string() + ".java.properties");
  write_properties(file, java_client_properties(in, dir),
                   "# Java names for " + librdkafka_file.string() + "\n");
  return file;
}

void write_properties(const fs::path& file, const Properties& props, const std::string& header) {
  std::string text = header;
  for (const auto& [k, v] : props) text += k + '=' + v + '\n';
  replace_file(file, text);
}

std::vector<fs::path> write_client_properties_files(const SecurityMaterial& material, int nodes,
                                                    std::uint16_t first_client_port) {
  std::vector<fs::path> written;
  for (const auto& user : lab_users()) {
    for (const auto& l : secure_listeners()) {
      auto props = client_properties(material, user, l.listener,
                                     secure_bootstrap(l.listener, nodes, first_client_port));
      auto stem = user + l.file_suffix;
      auto file = material.dir() / (stem + ".properties");
      write_properties(file, props,
                       "# " + user + " on " + l.protocol +
                           " (librdkafka names): KLAB_CLIENT_PROPERTIES=" + file.string() + "\n");
      auto java = material.dir() / (stem + ".java.properties");
      write_properties(java, java_client_properties(props, material.dir()),
                       "# " + user + " on " + l.protocol +
                           " for Kafka's Java tools: --command-config " + java.string() + "\n");
      written.push_back(file);
    }
  }
  return written;
}

}  // namespace klab::cluster
