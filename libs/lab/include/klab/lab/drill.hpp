#pragma once
// Troubleshooting drills (roadmap 7.3): each breaks the running lab in one realistic way with
// background worker processes, says what symptom to look for, and checks the learner's fix
// against the cluster. One drill at a time; its state lives in <state_dir>/drill/.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/cluster/fault_proxy.hpp"
#include "klab/cluster/lab_paths.hpp"

namespace klab::lab {

struct DrillInfo {
  std::string name;          ///< "consumer-lag"
  std::string roadmap_item;  ///< "7.3.1"
  std::string title;         ///< one line, Korean
  std::string symptom;       ///< what the learner sees, and where
  std::string fix;           ///< what fixes it (shown by `drill start` only as a hint command)
};

/// Every drill, in roadmap order. Errors: none.
const std::vector<DrillInfo>& drills();
/// Errors: LabError not_found naming the drills there are.
const DrillInfo& find_drill(std::string_view name);

/// What `check` concluded: passed, and one line saying what was measured.
struct DrillCheck {
  bool passed = false;
  std::string summary;
};

/// A drill that runs now: its name and the worker processes it started.
struct RunningDrill {
  std::string name;
  std::string topic;
  std::string group;
  std::vector<pid_t> producers;
  std::vector<pid_t> consumers;
  /// librdkafka properties of the drill's consumer application ("key=value"), as configured.
  std::vector<std::string> consumer_properties;
  /// librdkafka properties of the drill's producer application, as configured.
  std::vector<std::string> producer_properties;
  /// The lab node a drill breaks (out-of-memory, network-timeout), 0 for none, and the broker
  /// properties the drill set on it, as configured.
  int node = 0;
  std::map<std::string, std::string> broker_properties;
  /// Workers that aim an HTTP health check at that node's Kafka port.
  std::vector<pid_t> probes;
};

class Drills {
 public:
  /// `klab` is the CLI executable the workers run as (`klab drill worker ...`). `own_lab`: the
  /// client talks to the lab's own cluster (drills that restart a node need it).
  Drills(klab::cluster::LabPaths paths, klab::client::Config client, std::filesystem::path klab,
         bool own_lab = true);

  /// The drill running now, if any (workers that died are left out). Errors: none.
  std::optional<RunningDrill> running() const;

  /// Creates the drill's topic and starts its workers. Errors: LabError conflict when a drill
  /// runs already (with the `klab drill stop` that ends it); KafkaException from the cluster.
  RunningDrill start(const std::string& name);

  /// Runs `consumers` consumer workers in the drill's group (starts or stops some): what
  /// deploying more or fewer instances of the application does. Errors: LabError conflict
  /// when `name` is not the running drill; invalid_input for fewer than 1.
  RunningDrill scale(const std::string& name, int consumers);

  /// Sets one property of what the drill broke and restarts it with it: the consumer
  /// application's instances ("max.poll.interval.ms=30000", what redeploying does), or for a
  /// drill that broke a broker, that node ("socket.request.max.bytes=104857600").
  /// Errors: LabError conflict when `name` does not run; invalid_input without '=' or for a
  /// value librdkafka rejects; ClusterError when the node does not start with it.
  RunningDrill configure(const std::string& name, const std::string& property);

  /// Measures the symptom on the cluster. Errors: LabError conflict when `name` does not run.
  DrillCheck check(const std::string& name) const;

  /// Stops every worker (SIGTERM, then SIGKILL after 10 s) and returns how many ran; the drill
  /// stays recorded, so `stop` can still delete its topic later. Errors: none.
  int stop_workers();

  /// Stops every worker, gives a broken node back its own settings (restarting it) and deletes
  /// the drill's topic. Returns false when none ran.
  /// Errors: none (a topic that cannot be deleted is left, and said so in the client log);
  /// ClusterError when the node does not start again.
  bool stop();

 private:
  std::filesystem::path dir() const;
  void save(const RunningDrill& drill) const;
  pid_t spawn(const std::vector<std::string>& args, const std::string& log_name) const;
  void start_producer(const RunningDrill& drill) const;
  void start_consumer(const RunningDrill& drill, const std::string& id) const;
  DrillCheck check_rolling(const RunningDrill& drill) const;
  DrillCheck check_producer(const RunningDrill& drill) const;
  klab::cluster::FaultProxy fault_proxy(const klab::cluster::LocalCluster& lab) const;

  klab::cluster::LabPaths paths_;
  klab::client::Config client_;
  std::filesystem::path klab_;
  bool own_lab_;
};

}  // namespace klab::lab
