#include "klab/cluster/quorum.hpp"

#include <regex>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/secure_listeners.hpp"

namespace klab::cluster {
using namespace std::chrono_literals;

namespace {

std::optional<std::string> field(const std::string& text, const std::string& name) {
  std::smatch m;
  std::regex re("(^|\\n)" + name + ":\\s*([^\\n]*)");
  if (!std::regex_search(text, m, re)) return std::nullopt;
  return m[2].str();
}

std::vector<int> ids(const std::string& list) {
  std::vector<int> out;
  static const std::regex re(R"re("id":\s*(\d+))re");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), re); it != std::sregex_iterator();
       ++it)
    out.push_back(std::stoi((*it)[1]));
  return out;
}

}  // namespace

QuorumStatus parse_quorum_status(const std::string& text) {
  QuorumStatus q;
  auto leader = field(text, "LeaderId");
  if (!leader) throw ClusterError("kafka-metadata-quorum printed no LeaderId", text);
  q.leader_id = std::stoi(*leader);
  if (auto v = field(text, "ClusterId")) q.cluster_id = *v;
  if (auto v = field(text, "LeaderEpoch")) q.leader_epoch = std::stol(*v);
  if (auto v = field(text, "HighWatermark")) q.high_watermark = std::stol(*v);
  if (auto v = field(text, "MaxFollowerLag")) q.max_follower_lag = std::stol(*v);
  if (auto v = field(text, "MaxFollowerLagTimeMs")) q.max_follower_lag_time_ms = std::stol(*v);
  if (auto v = field(text, "CurrentVoters")) q.voters = ids(*v);
  if (auto v = field(text, "CurrentObservers")) q.observers = ids(*v);
  return q;
}

QuorumStatus describe_quorum(const KafkaRuntime& runtime, const std::string& bootstrap,
                             const std::optional<std::filesystem::path>& command_config,
                             std::chrono::milliseconds timeout) {
  std::vector<std::string> args{"--bootstrap-server", bootstrap};
  if (command_config) {
    args.push_back("--command-config");
    args.push_back(java_command_config(*command_config).string());  // librdkafka names in it
  }
  args.push_back("describe");
  args.push_back("--status");
  auto r = runtime.run_tool("org.apache.kafka.tools.MetadataQuorumCommand", args, scaled(timeout));
  if (r.exit_code != 0)
    throw ClusterError("kafka-metadata-quorum failed against " + bootstrap +
                           (r.timed_out ? " (timed out)" : "") + ": is the cluster up?",
                       r.output);
  return parse_quorum_status(r.output);
}

}  // namespace klab::cluster
