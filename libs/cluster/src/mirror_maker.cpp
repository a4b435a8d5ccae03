#include "klab/cluster/mirror_maker.hpp"

#include <fstream>

#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/kafka_runtime.hpp"

namespace klab::cluster {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

MirrorMaker::MirrorMaker(const LabPaths& paths, MirrorMakerSpec spec)
    : paths_(paths),
      spec_(std::move(spec)),
      process_(spec_.dir / "mirror-maker.pid", "org.apache.kafka.connect.mirror.MirrorMaker") {}

std::string MirrorMaker::properties_text() const {
  const auto& s = spec_.source_alias;
  const auto& t = spec_.target_alias;
  std::map<std::string, std::string> p{
      {"clusters", s + ", " + t},
      {s + ".bootstrap.servers", spec_.source_bootstrap},
      {t + ".bootstrap.servers", spec_.target_bootstrap},
      {s + "->" + t + ".enabled", "true"},
      {t + "->" + s + ".enabled", "false"},
      {s + "->" + t + ".topics", spec_.topics},
      {s + "->" + t + ".groups", spec_.groups},
      // Translated offsets written into the target's __consumer_offsets, so a consumer that
      // fails over simply subscribes there with its group.id.
      {"sync.group.offsets.enabled", "true"},
      {"sync.group.offsets.interval.seconds", "1"},
      {"emit.checkpoints.interval.seconds", "1"},
      {"refresh.topics.interval.seconds", "2"},
      {"refresh.groups.interval.seconds", "2"},
      // Ask for an offset sync at every record (default 100): translation can only go back to
      // the last sync at or before a committed offset. MirrorMaker still sends one sync at a
      // time, so under load they stay sparse (the lesson measures what that costs).
      {"offset.lag.max", "0"},
      // Single-node lab clusters: every internal topic with one replica.
      {"replication.factor", "1"},
      {"checkpoints.topic.replication.factor", "1"},
      {"heartbeats.topic.replication.factor", "1"},
      {"offset-syncs.topic.replication.factor", "1"},
      {"offset.storage.replication.factor", "1"},
      {"status.storage.replication.factor", "1"},
      {"config.storage.replication.factor", "1"},
      // Records are copied with acks=all and idempotence, so nothing acknowledged to
      // MirrorMaker is written twice by its own retries.
      {t + ".producer.acks", "all"},
      {t + ".producer.enable.idempotence", "true"},
  };
  for (const auto& [k, v] : spec_.properties) p[k] = v;
  std::string text = "# MirrorMaker 2 of the Kafka lab (written by klab::cluster::MirrorMaker)\n";
  for (const auto& [k, v] : p) text += k + " = " + v + "\n";
  return text;
}

void MirrorMaker::start(bool die_with_parent) {
  if (running()) return;
  bool found = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(paths_.kafka_previous_libs, ec))
    found = found || e.path().filename().string().starts_with("connect-mirror-");
  if (!found)
    throw ClusterError("MirrorMaker 2 is missing (" + paths_.kafka_previous_libs.string() +
                       "): run scripts/setup to fetch it with Maven");
  fs::create_directories(spec_.dir);
  std::ofstream(spec_.dir / "mm2.properties") << properties_text();
  auto runtime = KafkaRuntime::locate(paths_);  // java and its version check
  std::vector<std::string> argv{runtime.java(),
                                "-Xms128m",
                                "-Xmx512m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1",
                                "-Dlog4j2.configurationFile=" +
                                    (paths_.config_dir / "log4j2-mirror-maker.properties").string(),
                                "-Dkafka.logs.dir=" + spec_.dir.string(),
                                "-cp",
                                (paths_.kafka_previous_libs / "*").string(),
                                "org.apache.kafka.connect.mirror.MirrorMaker",
                                (spec_.dir / "mm2.properties").string()};
  process_.start(argv, {.log_file = spec_.dir / "stdout.log", .die_with_parent = die_with_parent});
  // Until it has exec'd, the child shows our command line, not the marker.
  if (!await_until([&] { return running(); }, scaled(10s), 20ms))
    throw ClusterError("MirrorMaker 2 did not start: see " + (spec_.dir / "stdout.log").string());
}

bool MirrorMaker::stop() { return process_.stop(30s); }

std::string MirrorMaker::remote_topic(const std::string& topic) const {
  return spec_.source_alias + "." + topic;
}

}  // namespace klab::cluster
