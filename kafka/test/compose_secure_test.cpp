// kafka/docker-compose.secure.yml, the secured override of docker-compose.yml, must give the
// compose cluster what `klab up --secure` gives the lab: the same listeners on the same ports,
// every listener authenticated (the controller too), the same authorizer, super users and
// principal mapping, and the lab's certificates and SCRAM users. Read as text; no Docker needed.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "compose_env.hpp"
#include "klab/cluster/defaults.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/cluster/security_material.hpp"

namespace {
namespace fs = std::filesystem;
namespace defaults = klab::cluster::defaults;

constexpr const char* kRoadmapItem = "env.compose";
const fs::path repo = KLAB_SOURCE_DIR;
const std::string secrets_mount = "/etc/kafka/secrets";

using klab::compose::env_name_of;

// What compose hands the container: "$$" is its escape for a literal '$'.
std::string interpolated(std::string v) {
  for (auto at = v.find("$$"); at != std::string::npos; at = v.find("$$", at + 1)) v.erase(at, 1);
  return v;
}

std::map<std::string, std::string> env_of(const YAML::Node& service) {
  std::map<std::string, std::string> out;
  for (const auto& kv : service["environment"])
    out[kv.first.as<std::string>()] = interpolated(kv.second.as<std::string>(""));
  return out;
}

std::map<std::string, int> listener_ports(const std::string& spec) {
  std::map<std::string, int> out;
  std::stringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto sep = item.find("://");
    out[item.substr(0, sep)] = std::stoi(item.substr(item.rfind(':') + 1));
  }
  return out;
}

std::set<int> loopback_published(const YAML::Node& service) {
  std::set<int> out;
  for (const auto& p : service["ports"]) {
    auto s = p.as<std::string>();
    if (s.rfind("127.0.0.1:", 0) == 0) out.insert(std::stoi(s.substr(s.rfind(':') + 1)));
  }
  return out;
}

class SecuredCompose : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = YAML::LoadFile((repo / "kafka" / "docker-compose.yml").string());
    secure_ = YAML::LoadFile((repo / "kafka" / "docker-compose.secure.yml").string());
    ASSERT_TRUE(secure_["services"]) << "docker-compose.secure.yml has no services";
  }
  YAML::Node node(int id) const { return secure_["services"]["kafka-" + std::to_string(id)]; }
  static std::uint16_t client_port(int id) { return defaults::first_client_port + id - 1; }
  YAML::Node base_, secure_;
};

TEST_F(SecuredCompose, EveryBrokerServesTheLabsSecuredListenersOnTheLabsPortsOnLoopback) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  for (int id = 1; id <= 3; ++id) {
    ASSERT_TRUE(node(id)) << "kafka-" << id << " is not in the secured override";
    auto env = env_of(node(id));
    auto listeners = listener_ports(env["KAFKA_LISTENERS"]);
    auto advertised = listener_ports(env["KAFKA_ADVERTISED_LISTENERS"]);
    auto published = loopback_published(node(id));
    for (const auto& p : loopback_published(base_["services"]["kafka-" + std::to_string(id)]))
      published.insert(p);  // compose adds the override's ports to the first file's
    for (const auto& l : klab::cluster::secure_listeners()) {
      int want = client_port(id) + l.port_offset;
      EXPECT_EQ(listeners[l.name], want) << "kafka-" << id << " " << l.name;
      EXPECT_EQ(advertised[l.name], want) << "kafka-" << id << " " << l.name;
      EXPECT_NE(env["KAFKA_ADVERTISED_LISTENERS"].find(l.name + "://127.0.0.1:"), std::string::npos)
          << l.name << " must be advertised on loopback, where host clients reach it";
      EXPECT_TRUE(published.contains(want)) << "kafka-" << id << " does not publish " << want;
    }
  }
}

TEST_F(SecuredCompose, EveryListenerIsAuthenticatedTheControllerAndInterBrokerOnesToo) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  for (int id = 1; id <= 3; ++id) {
    auto map = env_of(node(id))["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"];
    EXPECT_EQ(map.find(":PLAINTEXT"), std::string::npos)
        << "a PLAINTEXT listener lets anyone in as User:ANONYMOUS: " << map;
    EXPECT_NE(map.find("CONTROLLER:SSL"), std::string::npos) << map;
    EXPECT_NE(map.find("INTERNAL:SSL"), std::string::npos) << map;
  }
}

TEST_F(SecuredCompose, SecuritySettingsAreTheLabsOwnForAThreeNodeCluster) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  auto material = klab::cluster::SecurityMaterial::at("/lab-security");
  for (int id = 1; id <= 3; ++id) {
    auto lab = klab::cluster::secure_broker_properties(
        id, 3, defaults::first_client_port, client_port(id) + defaults::controller_port_offset,
        material);
    auto env = env_of(node(id));
    for (const auto& [key, value] : lab) {
      if (key == "listeners" || key == "advertised.listeners" ||
          key == "listener.security.protocol.map")
        continue;  // host parts differ by design; checked above
      std::string name = key == "inter.broker.listener.name" ? "KAFKA_INTER_BROKER_LISTENER_NAME"
                                                             : env_name_of(key);
      std::string got = env.contains(name)
                            ? env[name]
                            : env_of(base_["services"]["kafka-" + std::to_string(id)])[name];
      if (key.ends_with(".location")) {  // the same file, under the container's mount
        EXPECT_EQ(got, secrets_mount + "/" + fs::path(value).filename().string())
            << "kafka-" << id << " " << key;
        EXPECT_TRUE(fs::path(value).filename().string().find("node-" + std::to_string(id)) == 0 ||
                    key == "ssl.truststore.location");
      } else {
        EXPECT_EQ(got, value) << "kafka-" << id << " " << key << " (" << name << ")";
      }
    }
  }
}

TEST_F(SecuredCompose, TheLabsCertificatesAreMountedReadOnlyFromItsSecurityFolder) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  for (int id = 1; id <= 3; ++id) {
    bool mounted = false;
    for (const auto& v : node(id)["volumes"])
      if (v.IsMap() && v["source"].as<std::string>("") == "../.klab/security" &&
          v["target"].as<std::string>("") == secrets_mount)
        mounted = v["read_only"].as<bool>(false);
    EXPECT_TRUE(mounted) << "kafka-" << id << " must mount ../.klab/security read-only at "
                         << secrets_mount;
  }
  auto admin = std::ifstream(repo / "kafka" / "config" / "compose-secure-admin.properties");
  std::stringstream text;
  text << admin.rdbuf();
  EXPECT_NE(text.str().find("ssl.keystore.location=" + secrets_mount + "/admin.keystore.pem"),
            std::string::npos)
      << text.str();
}

TEST_F(SecuredCompose, TheScramUsersServiceAddsEveryLabUserOnceTheBrokersAreHealthy) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  auto service = secure_["services"]["scram-users"];
  ASSERT_TRUE(service) << "no scram-users service";
  for (int id = 1; id <= 3; ++id)
    EXPECT_EQ(service["depends_on"]["kafka-" + std::to_string(id)]["condition"].as<std::string>(""),
              "service_healthy");
  std::string script;
  for (const auto& part : service["entrypoint"])
    script += interpolated(part.as<std::string>()) + "\n";
  EXPECT_NE(script.find("SCRAM-SHA-512=[iterations=8192,password="), std::string::npos) << script;
  // Its sed reads credentials.json as klab writes it: one "user": "password" line each.
  static const std::regex line(R"re(^ *"([^"]*)": "([^"]*)",*$)re");
  nlohmann::json credentials;
  for (const auto& user : klab::cluster::lab_users()) credentials[user] = "pw-of-" + user;
  std::stringstream written(credentials.dump(2));
  std::set<std::string> read;
  for (std::string l; std::getline(written, l);)
    if (std::smatch m; std::regex_match(l, m, line) && m[2] == "pw-of-" + m[1].str())
      read.insert(m[1]);
  EXPECT_EQ(read.size(), klab::cluster::lab_users().size()) << credentials.dump(2);
  EXPECT_NE(script.find(R"re(s/^ *"\([^"]*\)": "\([^"]*\)",*$/\1 \2/p)re"), std::string::npos)
      << script;
}

TEST_F(SecuredCompose, KafkaUiConnectsAsTheAdminWithItsCertificate) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  auto env = env_of(secure_["services"]["kafka-ui"]);
  EXPECT_EQ(env["KAFKA_CLUSTERS_0_PROPERTIES_SECURITY_PROTOCOL"], "SSL");
  EXPECT_EQ(env["KAFKA_CLUSTERS_0_PROPERTIES_SSL_KEYSTORE_LOCATION"],
            secrets_mount + "/admin.keystore.pem");
  EXPECT_EQ(env["KAFKA_CLUSTERS_0_PROPERTIES_SSL_TRUSTSTORE_LOCATION"], secrets_mount + "/ca.pem");
}

}  // namespace
