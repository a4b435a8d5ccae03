#pragma once
// The secured lab's keys, certificates and SCRAM passwords, created once under one folder with
// openssl: a lab CA, node certificates (SAN 127.0.0.1, localhost and kafka-<id>, the compose
// service name), client certificates
// (CN=<user>), and the counter-examples the TLS lesson needs (a CA nobody trusts, a server
// certificate for another host name, a client certificate from the untrusted CA).
#include <filesystem>
#include <string>
#include <vector>

namespace klab::cluster {

/// SCRAM users of a secured lab; each also gets a client certificate with CN=<user>.
/// `admin` is a super user; the others start with no rights at all.
const std::vector<std::string>& lab_users();

/// Node principals: a node's certificate carries CN=node-<id> (User:node-<id>).
std::string node_principal_name(int id);

class SecurityMaterial {
 public:
  /// Creates whatever is missing under `dir` (mode 0700, keys 0600) and returns the set.
  /// Safe to call on every start: existing files are kept, so clients keep trusting the CA.
  /// Throws ClusterError when openssl is missing or fails (with its output).
  static SecurityMaterial ensure(const std::filesystem::path& dir);
  /// The file names under `dir` without creating or checking anything (e.g. to compare another
  /// setup's settings with the lab's). Errors: none.
  static SecurityMaterial at(const std::filesystem::path& dir) { return SecurityMaterial(dir); }

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path ca_cert() const { return dir_ / "ca.pem"; }
  /// A CA that signed nothing the lab serves: trusting only it must fail verification.
  std::filesystem::path untrusted_ca_cert() const { return dir_ / "untrusted-ca.pem"; }
  /// Key and certificate chain in one PEM file (Kafka's ssl.keystore.type=PEM).
  std::filesystem::path node_keystore(int id) const;
  /// A lab-CA server certificate whose SAN names only kafka.invalid: hostname verification
  /// against 127.0.0.1 must reject it.
  std::filesystem::path wrong_host_keystore() const { return dir_ / "wrong-host.keystore.pem"; }
  std::filesystem::path client_cert(const std::string& user) const;
  std::filesystem::path client_key(const std::string& user) const;
  /// Key + certificate of `user` in one PEM file, for Java clients (ssl.keystore.type=PEM).
  std::filesystem::path client_keystore(const std::string& user) const;
  /// A CN=alice certificate signed by the untrusted CA: the mTLS listener must refuse it.
  std::filesystem::path forged_alice_cert() const { return dir_ / "forged-alice.cert.pem"; }
  std::filesystem::path forged_alice_key() const { return dir_ / "forged-alice.key.pem"; }
  /// The SCRAM password of a lab user (generated once, kept in credentials.json, mode 0600).
  std::string password(const std::string& user) const;

 private:
  explicit SecurityMaterial(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace klab::cluster
