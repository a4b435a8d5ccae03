// kafka/docker-compose.yml must describe the same cluster as `klab up`: the same client ports,
// three combined KRaft nodes, the Kafka version pinned in kafka/pom.xml and the cluster-wide
// settings of kafka/config/node.properties. Read as text here; no Docker needed.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compose_env.hpp"
#include "klab/cluster/defaults.hpp"

#ifndef KLAB_SOURCE_DIR
#error "KLAB_SOURCE_DIR (the repository root) must be defined by kafka/CMakeLists.txt"
#endif

namespace {
namespace fs = std::filesystem;
namespace defaults = klab::cluster::defaults;

constexpr const char* kRoadmapItem = "env.compose";

fs::path repo_root() { return fs::path(KLAB_SOURCE_DIR); }

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

/// The <kafka.version> property of kafka/pom.xml.
std::string pom_kafka_version() {
  static const std::regex re(R"(<kafka\.version>\s*([^<\s]+)\s*</kafka\.version>)");
  std::string pom = read_text(repo_root() / "kafka" / "pom.xml");
  std::smatch m;
  if (!std::regex_search(pom, m, re)) throw std::runtime_error("no <kafka.version> in pom.xml");
  return m[1];
}

/// key -> value of a Java properties file (comments and blank lines skipped).
std::map<std::string, std::string> read_properties(const fs::path& file) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_text(file));
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
  }
  return out;
}

using klab::compose::env_name_of;

/// A service's environment, written either as a map or as a list of KEY=VALUE.
std::map<std::string, std::string> environment_of(const YAML::Node& service) {
  std::map<std::string, std::string> out;
  const YAML::Node env = service["environment"];
  if (!env) return out;
  if (env.IsMap()) {
    for (const auto& kv : env)
      out[kv.first.as<std::string>()] = kv.second.IsNull() ? "" : kv.second.as<std::string>();
  } else if (env.IsSequence()) {
    for (const auto& item : env) {
      auto s = item.as<std::string>();
      auto eq = s.find('=');
      out[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
    }
  }
  return out;
}

struct PublishedPort {
  std::string host_ip;  ///< empty: all interfaces
  int host_port = 0;
  int container_port = 0;
};

/// "ip:host:container", "host:container" or the long syntax {published, target, host_ip}.
std::vector<PublishedPort> published_ports_of(const YAML::Node& service) {
  std::vector<PublishedPort> out;
  const YAML::Node ports = service["ports"];
  if (!ports) return out;
  for (const auto& p : ports) {
    PublishedPort pp;
    if (p.IsMap()) {
      pp.container_port = p["target"].as<int>();
      pp.host_port = p["published"] ? std::stoi(p["published"].as<std::string>()) : 0;
      pp.host_ip = p["host_ip"] ? p["host_ip"].as<std::string>() : "";
    } else {
      auto s = p.as<std::string>();
      if (auto slash = s.find('/'); slash != std::string::npos) s.resize(slash);  // "/tcp"
      auto parts = split(s, ':');
      pp.container_port = std::stoi(parts.back());
      if (parts.size() >= 2) pp.host_port = std::stoi(parts[parts.size() - 2]);
      if (parts.size() >= 3) pp.host_ip = parts[0];
    }
    out.push_back(pp);
  }
  return out;
}

struct Endpoint {
  std::string host;
  int port = 0;
};

/// "NAME://host:port,NAME2://:port" -> NAME -> {host, port}.
std::map<std::string, Endpoint> parse_listeners(const std::string& spec) {
  std::map<std::string, Endpoint> out;
  for (const auto& raw : split(spec, ',')) {
    auto item = trim(raw);
    auto sep = item.find("://");
    auto colon = item.rfind(':');
    if (sep == std::string::npos || colon == std::string::npos || colon < sep + 3)
      throw std::runtime_error("malformed listener '" + item + "'");
    out[item.substr(0, sep)] = {item.substr(sep + 3, colon - sep - 3),
                                std::stoi(item.substr(colon + 1))};
  }
  return out;
}

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost"; }

struct Broker {
  std::string service;  ///< the compose service name (its DNS name on the compose network)
  YAML::Node node;
  std::map<std::string, std::string> env;
  int node_id = 0;

  std::string get(const std::string& key) const {
    auto it = env.find(key);
    return it == env.end() ? "" : it->second;
  }
};

class DockerCompose : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = repo_root() / "kafka" / "docker-compose.yml";
    try {
      doc_ = YAML::LoadFile(file_.string());
    } catch (const std::exception& e) {
      FAIL() << file_ << " does not parse: " << e.what();
    }
    ASSERT_TRUE(doc_["services"] && doc_["services"].IsMap()) << file_ << " has no services map";
    for (const auto& kv : doc_["services"]) {
      auto name = kv.first.as<std::string>();
      services_[name] = kv.second;
      auto image = kv.second["image"] ? kv.second["image"].as<std::string>() : "";
      if (image.rfind("apache/kafka:", 0) == 0) {
        Broker b{name, kv.second, environment_of(kv.second), 0};
        try {
          b.node_id = std::stoi(b.get("KAFKA_NODE_ID"));
        } catch (const std::exception&) {
          b.node_id = 0;  // reported by the KRaft test
        }
        brokers_.push_back(std::move(b));
      }
    }
    std::sort(brokers_.begin(), brokers_.end(), [](const Broker& a, const Broker& b) {
      return a.node_id != b.node_id ? a.node_id < b.node_id : a.service < b.service;
    });
  }

  /// The listener other brokers and Kafka UI use: the inter-broker one, as advertised.
  static Endpoint internal_endpoint(const Broker& b) {
    auto advertised = parse_listeners(b.get("KAFKA_ADVERTISED_LISTENERS"));
    auto it = advertised.find(b.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
    return it == advertised.end() ? Endpoint{} : it->second;
  }

  fs::path file_;
  YAML::Node doc_;
  std::map<std::string, YAML::Node> services_;
  std::vector<Broker> brokers_;  ///< apache/kafka services, by node id
};

TEST_F(DockerCompose, FileParsesAndDefinesThreeKafkaBrokersAndKafkaUi) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  std::vector<std::string> names;
  for (const auto& b : brokers_) names.push_back(b.service);
  EXPECT_EQ(brokers_.size(), 3u) << "apache/kafka services: " << ::testing::PrintToString(names);
  ASSERT_TRUE(services_.count("kafka-ui")) << "no kafka-ui service";
  auto ui_image = services_["kafka-ui"]["image"].as<std::string>("");
  EXPECT_NE(ui_image.find("kafka-ui:"), std::string::npos) << ui_image;
  EXPECT_EQ(ui_image.find(":latest"), std::string::npos) << "pin a released tag: " << ui_image;
}

TEST_F(DockerCompose, BrokersPublishTheLabClientPortsAndAdvertiseThemOnLoopback) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    const Broker& b = brokers_[i];
    const int want = defaults::first_client_port + static_cast<int>(i);
    const int metrics = want + defaults::metrics_port_offset;
    auto ports = published_ports_of(b.node);
    std::set<int> host_ports;
    for (const auto& p : ports) {
      host_ports.insert(p.host_port);
      EXPECT_TRUE(p.host_ip.empty() || is_loopback(p.host_ip))
          << b.service << " publishes " << p.host_port << " on " << p.host_ip;
    }
    ASSERT_EQ(host_ports, (std::set<int>{want, metrics}))
        << b.service << " publishes exactly its client port and its metrics port";
    auto client = std::find_if(ports.begin(), ports.end(),
                               [&](const PublishedPort& p) { return p.host_port == want; });

    // The published container port is a listener, advertised to host clients as loopback:want.
    std::string host_listener;
    for (const auto& [name, ep] : parse_listeners(b.get("KAFKA_LISTENERS")))
      if (ep.port == client->container_port) host_listener = name;
    ASSERT_FALSE(host_listener.empty())
        << b.service << ": no listener on published container port " << client->container_port;
    auto advertised = parse_listeners(b.get("KAFKA_ADVERTISED_LISTENERS"));
    ASSERT_TRUE(advertised.count(host_listener))
        << b.service << " does not advertise " << host_listener;
    EXPECT_TRUE(is_loopback(advertised[host_listener].host))
        << b.service << " advertises " << advertised[host_listener].host << " to host clients";
    EXPECT_EQ(advertised[host_listener].port, want) << b.service;
  }
}

/// The <jmx.exporter.version> property of kafka/pom.xml.
std::string pom_jmx_exporter_version() {
  static const std::regex re(R"(<jmx\.exporter\.version>\s*([^<\s]+)\s*</jmx\.exporter\.version>)");
  std::string pom = read_text(repo_root() / "kafka" / "pom.xml");
  std::smatch m;
  if (!std::regex_search(pom, m, re))
    throw std::runtime_error("no <jmx.exporter.version> in pom.xml");
  return m[1];
}

/// Bind mounts of a service (long syntax {type: bind, source, target} or "src:dst[:ro]"):
/// target -> source.
std::map<std::string, std::string> bind_mounts_of(const YAML::Node& service) {
  std::map<std::string, std::string> out;
  for (const auto& v : service["volumes"]) {
    if (v.IsMap()) {
      if (v["type"].as<std::string>("") == "bind")
        out[v["target"].as<std::string>()] = v["source"].as<std::string>();
    } else {
      auto parts = split(v.as<std::string>(), ':');
      if (parts.size() >= 2 && (parts[0].rfind('.', 0) == 0 || parts[0].rfind('/', 0) == 0))
        out[parts[1]] = parts[0];
    }
  }
  return out;
}

TEST_F(DockerCompose, BrokersRunTheJmxExporterAgentOfTheLabOnItsMetricsPorts) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  const std::string jar = "jmx_prometheus_javaagent-" + pom_jmx_exporter_version() + ".jar";
  static const std::regex agent(R"(-javaagent:(\S+?)=(?:[^:\s]+:)?(\d+):(\S+))");
  for (std::size_t i = 0; i < brokers_.size(); ++i) {
    const Broker& b = brokers_[i];
    const int metrics =
        defaults::first_client_port + static_cast<int>(i) + defaults::metrics_port_offset;
    std::smatch m;
    const std::string opts = b.get("KAFKA_OPTS");
    ASSERT_TRUE(std::regex_search(opts, m, agent))
        << b.service << ": KAFKA_OPTS has no -javaagent:<jar>=<port>:<yaml> (" << opts << ")";
    auto mounts = bind_mounts_of(b.node);
    // The jar and the config the agent names are the lab's own, mounted from the repository.
    ASSERT_TRUE(mounts.count(m[1])) << b.service << ": the agent jar " << m[1] << " is not mounted";
    EXPECT_EQ(fs::path(mounts[m[1]]).filename().string(), jar)
        << b.service << ": mount the agent version pinned in kafka/pom.xml";
    EXPECT_EQ(fs::path(mounts[m[1]]).parent_path().lexically_normal(),
              fs::path("../.klab/kafka/libs"))
        << b.service << ": the jar comes from scripts/setup";
    ASSERT_TRUE(mounts.count(m[3])) << b.service << ": the config " << m[3] << " is not mounted";
    EXPECT_TRUE(fs::equivalent(repo_root() / "kafka" / mounts[m[3]],
                               repo_root() / "kafka" / "config" / "jmx-exporter.yaml"))
        << b.service << " mounts " << mounts[m[3]];
    // The agent's port inside the container is published as client port + 200 on loopback.
    const int agent_port = std::stoi(m[2]);
    auto ports = published_ports_of(b.node);
    EXPECT_TRUE(std::any_of(ports.begin(), ports.end(),
                            [&](const PublishedPort& p) {
                              return p.container_port == agent_port && p.host_port == metrics;
                            }))
        << b.service << ": agent port " << agent_port << " is not published as " << metrics;
    // Every Kafka script in the container inherits KAFKA_OPTS: the healthcheck's tool must not
    // start a second agent on the same port.
    std::string health;
    for (const auto& part : b.node["healthcheck"]["test"]) health += part.as<std::string>() + " ";
    EXPECT_NE(health.find("KAFKA_OPTS= "), std::string::npos)
        << b.service << ": the healthcheck must clear KAFKA_OPTS (" << health << ")";
  }
}

TEST_F(DockerCompose, BrokersReplicateOverAnInternalListenerNamedByService) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  for (const auto& b : brokers_) {
    auto inter = b.get("KAFKA_INTER_BROKER_LISTENER_NAME");
    ASSERT_FALSE(inter.empty()) << b.service;
    EXPECT_TRUE(parse_listeners(b.get("KAFKA_LISTENERS")).count(inter)) << b.service;
    // 127.0.0.1 inside a container is the container itself: peers need the service's DNS name.
    Endpoint ep = internal_endpoint(b);
    EXPECT_EQ(ep.host, b.service) << b.service << " advertises " << inter << " on " << ep.host;
    auto protocols = b.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP");
    for (const auto& [name, unused] : parse_listeners(b.get("KAFKA_LISTENERS")))
      EXPECT_NE(protocols.find(name + ":"), std::string::npos)
          << b.service << ": listener " << name << " has no security protocol";
  }
}

TEST_F(DockerCompose, BrokersFormOneKraftQuorumOfThreeCombinedNodes) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  const std::string voters = brokers_[0].get("KAFKA_CONTROLLER_QUORUM_VOTERS");
  const std::string cluster_id = brokers_[0].get("CLUSTER_ID");
  EXPECT_FALSE(cluster_id.empty()) << "CLUSTER_ID formats every node's storage";
  std::set<int> ids;
  for (const auto& b : brokers_) {
    ids.insert(b.node_id);
    auto roles = split(b.get("KAFKA_PROCESS_ROLES"), ',');
    for (auto& r : roles) r = trim(r);
    EXPECT_EQ(std::set<std::string>(roles.begin(), roles.end()),
              (std::set<std::string>{"broker", "controller"}))
        << b.service;
    EXPECT_EQ(b.get("KAFKA_CONTROLLER_QUORUM_VOTERS"), voters) << b.service;
    EXPECT_EQ(b.get("CLUSTER_ID"), cluster_id) << b.service;
    auto controller = b.get("KAFKA_CONTROLLER_LISTENER_NAMES");
    EXPECT_TRUE(parse_listeners(b.get("KAFKA_LISTENERS")).count(controller))
        << b.service << " has no " << controller << " listener";
  }
  EXPECT_EQ(ids, (std::set<int>{1, 2, 3}));

  // Each voter "id@host:port" is that node's service and its CONTROLLER listener port.
  std::set<int> voter_ids;
  for (const auto& v : split(voters, ',')) {
    static const std::regex re(R"(\s*(\d+)@([^:]+):(\d+)\s*)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(v, m, re)) << "malformed voter '" << v << "'";
    int id = std::stoi(m[1]);
    voter_ids.insert(id);
    auto it = std::find_if(brokers_.begin(), brokers_.end(),
                           [&](const Broker& b) { return b.node_id == id; });
    ASSERT_NE(it, brokers_.end()) << "voter " << id << " is no service";
    EXPECT_EQ(m[2].str(), it->service) << "voter " << id;
    auto listeners = parse_listeners(it->get("KAFKA_LISTENERS"));
    EXPECT_EQ(std::stoi(m[3]), listeners[it->get("KAFKA_CONTROLLER_LISTENER_NAMES")].port)
        << "voter " << id;
  }
  EXPECT_EQ(voter_ids, (std::set<int>{1, 2, 3}));
}

TEST_F(DockerCompose, NothingUsesZooKeeper) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  for (const auto& [name, service] : services_) {
    EXPECT_EQ(lower(name).find("zookeeper"), std::string::npos) << name;
    EXPECT_EQ(lower(service["image"].as<std::string>("")).find("zookeeper"), std::string::npos)
        << name;
    for (const auto& [key, value] : environment_of(service)) {
      EXPECT_EQ(lower(key).find("zookeeper"), std::string::npos) << name << ": " << key;
      EXPECT_EQ(lower(value).find("zookeeper"), std::string::npos) << name << ": " << key;
    }
  }
}

TEST_F(DockerCompose, KafkaImageIsTheVersionPinnedInPom) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  const std::string version = pom_kafka_version();
  ASSERT_EQ(brokers_.size(), 3u);
  for (const auto& b : brokers_)
    EXPECT_EQ(b.node["image"].as<std::string>(), "apache/kafka:" + version) << b.service;
}

TEST_F(DockerCompose, ClusterSettingsMatchTheLabNodeTemplate) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  // klab::cluster fills the template for N nodes with internal_rf = min(N, 3) and
  // internal_min_isr = 2 when internal_rf > 1 (local_cluster.cpp): 3 and 2 for 3 nodes.
  const int internal_rf = std::min(static_cast<int>(brokers_.size()), 3);
  const std::map<std::string, std::string> placeholders = {
      {"${internal_rf}", std::to_string(internal_rf)},
      {"${internal_min_isr}", internal_rf > 1 ? "2" : "1"}};
  // Addresses, paths and identity differ per node and between the two ways of running.
  const std::set<std::string> per_node = {"node.id",
                                          "controller.quorum.voters",
                                          "listeners",
                                          "advertised.listeners",
                                          "listener.security.protocol.map",
                                          "inter.broker.listener.name",
                                          "log.dirs"};

  auto tmpl = read_properties(repo_root() / "kafka" / "config" / "node.properties");
  ASSERT_FALSE(tmpl.empty());
  for (const auto& [key, raw] : tmpl) {
    if (per_node.count(key)) continue;
    std::string want = raw;
    if (raw.find("${") != std::string::npos) {
      auto it = placeholders.find(raw);
      ASSERT_NE(it, placeholders.end()) << key << "=" << raw << ": unknown placeholder";
      want = it->second;
    }
    for (const auto& b : brokers_) {
      auto got = b.env.find(env_name_of(key));
      ASSERT_NE(got, b.env.end()) << b.service << " lacks " << env_name_of(key) << " (" << key
                                  << "=" << want << " in node.properties)";
      EXPECT_EQ(got->second, want) << b.service << ": " << env_name_of(key);
    }
  }

  // The settings a learner relies on, spelled out.
  for (const auto& b : brokers_) {
    EXPECT_EQ(b.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"), "3") << b.service;
    EXPECT_EQ(b.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"), "3") << b.service;
    EXPECT_EQ(b.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"), "2") << b.service;
    EXPECT_EQ(b.get("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"), "0") << b.service;
  }
}

TEST_F(DockerCompose, KafkaUiBootstrapsFromInternalListenersAwayFromConsolePort) {
  ::testing::Test::RecordProperty("roadmap", kRoadmapItem);
  ASSERT_EQ(brokers_.size(), 3u);
  ASSERT_TRUE(services_.count("kafka-ui"));
  const YAML::Node ui = services_["kafka-ui"];
  auto env = environment_of(ui);
  EXPECT_EQ(env["KAFKA_CLUSTERS_0_NAME"], "kafka-lab");

  std::set<std::string> bootstrap;
  for (const auto& s : split(env["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"], ','))
    bootstrap.insert(trim(s));
  std::set<std::string> internal;
  for (const auto& b : brokers_) {
    Endpoint ep = internal_endpoint(b);
    internal.insert(ep.host + ":" + std::to_string(ep.port));
  }
  EXPECT_EQ(bootstrap, internal);

  auto ports = published_ports_of(ui);
  ASSERT_FALSE(ports.empty()) << "kafka-ui publishes no port";
  for (const auto& p : ports)
    EXPECT_NE(p.host_port, defaults::console_port) << "the lab console owns that port";
}

}  // namespace
