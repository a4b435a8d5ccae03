#pragma once
// What a secured lab serves and how a client reaches it: the listeners of every node, the
// broker properties that turn them on, and client properties (librdkafka names, with a Java
// translation for Kafka's own tools) for each user and listener.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "klab/cluster/security_material.hpp"

namespace klab::cluster {

using Properties = std::map<std::string, std::string>;

/// The client-facing listeners of a secured node (the controller and inter-broker listeners are
/// mTLS between nodes only).
enum class SecureListener {
  sasl_plaintext,  ///< SCRAM-SHA-512 over plain TCP, on the lab's client port
  sasl_ssl,        ///< SCRAM-SHA-512 inside TLS
  mtls,            ///< TLS with a client certificate: CN=<user> becomes User:<user>
};

struct ListenerInfo {
  SecureListener listener;
  std::string name;           ///< Kafka listener name, e.g. CLIENT_SASL
  std::string protocol;       ///< SASL_PLAINTEXT, SASL_SSL, SSL
  std::uint16_t port_offset;  ///< from the node's client port
  std::string file_suffix;    ///< "" / "-sasl-ssl" / "-mtls" in <user><suffix>.properties
};

const std::vector<ListenerInfo>& secure_listeners();
const ListenerInfo& listener_info(SecureListener listener);

/// Broker properties of node `id` in a secured lab (appended after the node template).
Properties secure_broker_properties(int id, int nodes, std::uint16_t first_client_port,
                                    std::uint16_t controller_port,
                                    const SecurityMaterial& material);

/// `kafka-storage format` arguments that create every lab user's SCRAM-SHA-512 credential in
/// the bootstrap metadata, so the cluster can authenticate before any admin call.
std::vector<std::string> scram_format_arguments(const SecurityMaterial& material);

/// "127.0.0.1:9102,..." for one listener of a lab whose node 1 has `first_client_port`.
std::string secure_bootstrap(SecureListener listener, int nodes, std::uint16_t first_client_port);

/// librdkafka client properties for `user` on `listener`, including bootstrap.servers.
Properties client_properties(const SecurityMaterial& material, const std::string& user,
                             SecureListener listener, const std::string& bootstrap);

/// The same settings in the Java client's names (sasl.jaas.config, PEM key and trust stores)
/// for Kafka's command-line tools (--command-config). Keys both clients share pass through;
/// librdkafka-only keys are dropped. `keystore_dir` receives a combined key + certificate PEM
/// when the input names them separately.
Properties java_client_properties(const Properties& librdkafka,
                                  const std::filesystem::path& keystore_dir);

/// A --command-config file for Kafka's Java tools made from a librdkafka properties file (as
/// KLAB_CLIENT_PROPERTIES names): written, mode 0600, to the temp folder and rewritten per call.
std::filesystem::path java_command_config(const std::filesystem::path& librdkafka_file);

/// Writes a .properties file with mode 0600 (it may hold a password).
void write_properties(const std::filesystem::path& file, const Properties& props,
                      const std::string& header);

/// Writes <user>[-sasl-ssl|-mtls].properties and the .java.properties twin of each into the
/// material's folder. Returns the librdkafka files written, admin first.
std::vector<std::filesystem::path> write_client_properties_files(const SecurityMaterial& material,
                                                                 int nodes,
                                                                 std::uint16_t first_client_port);

}  // namespace klab::cluster
