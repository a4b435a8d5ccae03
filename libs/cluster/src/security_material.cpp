#include "klab/cluster/security_material.hpp"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr int max_nodes = 3;
constexpr const char* credentials_file = "credentials.json";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_private(const fs::path& p, const std::string& text) {
  {
    std::ofstream out(p, std::ios::trunc);
    out << text;
    if (!out) throw ClusterError("cannot write " + p.string() + ": check the folder's permissions");
  }
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
}

std::string random_password() {
  static constexpr char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::random_device rd;
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(alphabet) - 2);
  std::string out;
  for (int i = 0; i < 24; ++i) out += alphabet[pick(rd)];
  return out;
}

void openssl(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r;
  try {
    r = run_command(argv, 60s);
  } catch (const ClusterError&) {
    throw ClusterError("openssl is needed to create the secured lab's certificates in " +
                       dir.string() + ": run scripts/setup (or `apt-get install openssl`)");
  }
  if (r.exit_code != 0)
    throw ClusterError("openssl " + args.front() + " failed while creating " + dir.string() +
                           ": see its output below",
                       r.output);
}

const char* curve = "ec_paramgen_curve:prime256v1";

void make_ca(const fs::path& dir, const std::string& name, const std::string& subject) {
  auto cert = dir / (name + ".pem");
  if (fs::exists(cert)) return;
  auto key = dir / (name + ".key.pem");
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-keyout", key.string(),
           "-out", cert.string(), "-days", "3650", "-subj", subject, "-addext",
           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
          dir);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
}

struct Leaf {
  std::string name;     // file stem
  std::string subject;  // "/CN=alice"
  std::string ca;       // stem of the signing CA
  std::string san;      // "" for client certificates
  bool server = false;
};

// <name>.key.pem, <name>.cert.pem and <name>.keystore.pem (key, certificate, CA: what Kafka's
// PEM key store reads).
void make_leaf(const fs::path& dir, const Leaf& leaf) {
  auto keystore = dir / (leaf.name + ".keystore.pem");
  if (fs::exists(keystore)) return;
  auto key = dir / (leaf.name + ".key.pem");
  auto cert = dir / (leaf.name + ".cert.pem");
  auto csr = dir / (leaf.name + ".csr");
  auto ext = dir / (leaf.name + ".ext");
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", curve, "-nodes", "-keyout", key.string(),
           "-out", csr.string(), "-subj", leaf.subject},
          dir);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  std::string extensions = "basicConstraints=CA:FALSE\n";
  extensions += std::string("extendedKeyUsage=") +
                (leaf.server ? "serverAuth,clientAuth" : "clientAuth") + "\n";
  if (!leaf.san.empty()) extensions += "subjectAltName=" + leaf.san + "\n";
  std::ofstream(ext) << extensions;
  openssl(
      {"x509", "-req", "-in", csr.string(), "-CA", (dir / (leaf.ca + ".pem")).string(), "-CAkey",
       (dir / (leaf.ca + ".key.pem")).string(), "-CAserial", (dir / (leaf.ca + ".srl")).string(),
       "-CAcreateserial", "-days", "3650", "-out", cert.string(), "-extfile", ext.string()},
      dir);
  fs::remove(csr);
  fs::remove(ext);
  write_private(keystore, slurp(key) + slurp(cert) + slurp(dir / (leaf.ca + ".pem")));
}

void ensure_credentials(const fs::path& dir) {
  auto file = dir / credentials_file;
  nlohmann::json j = nlohmann::json::object();
  if (fs::exists(file)) {
    try {
      j = nlohmann::json::parse(slurp(file));
    } catch (const std::exception& e) {
      throw ClusterError(file.string() + " is not valid JSON (" + e.what() +
                         "): delete it and run `klab reset --yes` to start the secured lab over");
    }
  }
  bool changed = false;
  for (const auto& user : lab_users())
    if (!j.contains(user)) {
      j[user] = random_password();
      changed = true;
    }
  if (changed) write_private(file, j.dump(2) + "\n");
}

}  // namespace

const std::vector<std::string>& lab_users() {
  static const std::vector<std::string> users{"admin", "alice", "bob"};
  return users;
}

std::string node_principal_name(int id) { return "node-" + std::to_string(id); }

SecurityMaterial SecurityMaterial::ensure(const fs::path& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  ensure_credentials(dir);
  make_ca(dir, "ca", "/CN=Kafka Lab CA");
  make_ca(dir, "untrusted-ca", "/CN=Untrusted CA");
  const std::string loopback = "IP:127.0.0.1,DNS:localhost";
  // DNS:kafka-<id> too: the secured docker-compose variant's nodes reach each other by name.
  for (int id = 1; id <= max_nodes; ++id)
    make_leaf(dir, {node_principal_name(id), "/CN=" + node_principal_name(id), "ca",
                    loopback + ",DNS:kafka-" + std::to_string(id), true});
  make_leaf(dir, {"wrong-host", "/CN=wrong-host", "ca", "DNS:kafka.invalid", true});
  for (const auto& user : lab_users()) make_leaf(dir, {user, "/CN=" + user, "ca", "", false});
  make_leaf(dir, {"forged-alice", "/CN=alice", "untrusted-ca", "", false});
  return SecurityMaterial(dir);
}

fs::path SecurityMaterial::node_keystore(int id) const {
  return dir_ / (node_principal_name(id) + ".keystore.pem");
}

fs::path SecurityMaterial::client_cert(const std::string& user) const {
  return dir_ / (user + ".cert.pem");
}

fs::path SecurityMaterial::client_key(const std::string& user) const {
  return dir_ / (user + ".key.pem");
}

fs::path SecurityMaterial::client_keystore(const std::string& user) const {
  return dir_ / (user + ".keystore.pem");
}

std::string SecurityMaterial::password(const std::string& user) const {
  auto j = nlohmann::json::parse(slurp(dir_ / credentials_file));
  if (!j.contains(user))
    throw ClusterError("no SCRAM password for '" + user + "' in " +
                       (dir_ / credentials_file).string() + ": lab users are admin, alice, bob");
  return j[user].get<std::string>();
}

}  // namespace klab::cluster
