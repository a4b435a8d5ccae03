#include "klab/lab/scram_users.hpp"

#include <algorithm>
#include <regex>
#include <sstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {
using namespace std::chrono_literals;

// kafka-configs with the target's address and (translated) client properties.
std::string run_kafka_configs(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                              std::vector<std::string> args, const std::string& what) {
  std::vector<std::string> argv{"--bootstrap-server", target.bootstrap};
  if (target.properties_file) {
    argv.push_back("--command-config");
    argv.push_back(cluster::java_command_config(*target.properties_file).string());
  }
  argv.insert(argv.end(), args.begin(), args.end());
  auto rt = cluster::KafkaRuntime::locate(paths);
  auto r = rt.run_tool("org.apache.kafka.tools.ConfigCommand", argv, cluster::scaled(60s));
  if (r.exit_code != 0) {
    // The tool's reason is the exception line ("...Exception: <why>"), not its usage text.
    std::string why = r.timed_out ? "timed out" : "kafka-configs failed";
    auto at = r.output.find("Exception: ");
    if (at != std::string::npos) why = r.output.substr(at + 11, r.output.find('\n', at) - at - 11);
    throw LabError(LabError::Kind::failed, what + ": " + why);
  }
  return r.output;
}

constexpr const char* mechanism = "SCRAM-SHA-512";

}  // namespace

std::vector<ScramUser> parse_scram_users(const std::string& text) {
  static const std::regex line(R"(SCRAM credential configs for user-principal '([^']+)' are (.*))");
  std::vector<ScramUser> users;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) {
    std::smatch m;
    if (!std::regex_search(l, m, line)) continue;
    ScramUser u{m[1], {}};
    std::string rest = m[2];
    std::size_t start = 0;
    while (start < rest.size()) {
      auto comma = rest.find(", ", start);
      auto item =
          rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto eq = item.find('=');
      u.mechanisms.push_back(
          eq == std::string::npos ? item : item.substr(0, eq) + " " + item.substr(eq + 1));
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    users.push_back(std::move(u));
  }
  std::sort(users.begin(), users.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return users;
}

std::vector<ScramUser> list_scram_users(const cluster::LabPaths& paths,
                                        const cluster::ClusterTarget& target) {
  return parse_scram_users(run_kafka_configs(
      paths, target, {"--describe", "--entity-type", "users"}, "listing SCRAM users"));
}

void add_scram_user(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                    const std::string& name, const std::string& password) {
  if (name.empty() || name.find_first_of(" ,=[]'\"") != std::string::npos)
    throw LabError(LabError::Kind::invalid_input,
                   "user name '" + name + "' must be non-empty, without spaces, quotes or , = [ ]");
  if (password.size() < 8)
    throw LabError(LabError::Kind::invalid_input, "the password must have at least 8 characters");
  // kafka-configs splits its value on ',' and '=' and brackets: such a password would be cut.
  if (password.find_first_of(",=[]") != std::string::npos)
    throw LabError(LabError::Kind::invalid_input,
                   "the password must not contain , = [ or ] (kafka-configs would split it)");
  run_kafka_configs(paths, target,
                    {"--alter", "--add-config",
                     std::string(mechanism) + "=[iterations=8192,password=" + password + "]",
                     "--entity-type", "users", "--entity-name", name},
                    "adding SCRAM user " + name);
}

void delete_scram_user(const cluster::LabPaths& paths, const cluster::ClusterTarget& target,
                       const std::string& name) {
  auto users = list_scram_users(paths, target);
  if (std::none_of(users.begin(), users.end(), [&](const auto& u) { return u.name == name; }))
    throw LabError(LabError::Kind::not_found,
                   "there is no SCRAM user " + name + ": `klab users list` shows who exists");
  run_kafka_configs(
      paths, target,
      {"--alter", "--delete-config", mechanism, "--entity-type", "users", "--entity-name", name},
      "deleting SCRAM user " + name);
}

}  // namespace klab::lab
