// 7.2.3 Lag monitoring: a group's lag is the log end offset minus its committed offset, per
// partition. Three views must agree: the Admin API (what the console and `klab groups` show),
// the consumer's own (its position and librdkafka's statistics) and Kafka's own
// kafka-consumer-groups tool. Lag grows while producers outpace the consumer and returns to 0
// once it catches up and commits.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/consumer_stats.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/lab/lag.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::Consumer;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::unique_name;

using LagByPartition = std::map<int, std::int64_t>;

LagByPartition admin_lag(const std::string& group, const std::string& topic) {
  LagByPartition out;
  klab::client::Admin admin(cluster().client_config());
  for (const auto& p : klab::lab::group_lag(admin, group, scaled(30s)))
    if (p.topic == topic) out[p.partition] = p.lag;
  return out;
}

std::int64_t total(const LagByPartition& lag) {
  std::int64_t sum = 0;
  for (const auto& [partition, n] : lag) sum += n;
  return sum;
}

// The LAG column of `kafka-consumer-groups --describe --group G` for `topic`, found through the
// header's column names (the tool's column order is not part of its contract).
LagByPartition kafka_tool_lag(const std::string& group, const std::string& topic) {
  std::vector<std::string> args{"--bootstrap-server", cluster().bootstrap(), "--describe",
                                "--group", group};
  if (const char* props = std::getenv("KLAB_CLIENT_PROPERTIES"); props && *props) {
    args.push_back("--command-config");
    args.push_back(props);
  }
  auto run = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover())
                 .run_tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", args,
                           scaled(120s));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  LagByPartition out;
  std::map<std::string, size_t> column;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> cells;
    for (std::string w; words >> w;) cells.push_back(w);
    if (std::find(cells.begin(), cells.end(), "LAG") != cells.end()) {
      for (size_t i = 0; i < cells.size(); ++i) column[cells[i]] = i;
      continue;
    }
    if (column.empty() || cells.size() <= column["LAG"] || cells[column["TOPIC"]] != topic)
      continue;
    if (cells[column["LAG"]] == "-") continue;  // nothing committed: no lag to compare
    out[std::stoi(cells[column["PARTITION"]])] = std::stoll(cells[column["LAG"]]);
  }
  std::cout << "kafka-consumer-groups --describe --group " << group << ":\n" << run.output;
  return out;
}

TEST(ConsumerLag, GroupLagFromCommittedOffsetsMatchesTheConsumerAndKafkasTool) {
  KLAB_ROADMAP("7.2.3");
  auto topic = unique_name("lag");
  klab::testing::create_topic(topic, 2, 3);
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 60), 0);
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 40), 1);

  auto group = unique_name("g");
  klab::client::ConsumerStatsCollector stats;
  auto config = klab::testing::consumer_config(cluster().client_config(), group);
  config.statistics_interval_ms(200).statistics_handler(stats.handler());
  Consumer consumer(config);
  consumer.subscribe({topic});
  std::size_t consumed = klab::testing::consume_n(consumer, 50, 30s).size();
  ASSERT_EQ(consumed, 50u);
  // One fetch can return 50 records of one partition; a partition that returned nothing has no
  // position (and Kafka's tool prints "-" as its lag), so read on until both have one.
  auto both_positioned = [&] {
    auto p = consumer.position();
    return p.size() == 2 &&
           std::all_of(p.begin(), p.end(), [](const auto& tp) { return tp.offset >= 0; });
  };
  while (!both_positioned() && consumed < 100) {
    auto more = klab::testing::consume_n(consumer, 1, 30s).size();
    if (more == 0) break;
    consumed += more;
  }
  ASSERT_TRUE(both_positioned()) << "after " << consumed << " records";
  consumer.commit_sync();  // the position of each partition: after the last record returned
  auto positions = consumer.position();
  ASSERT_EQ(positions.size(), 2u);
  consumer.pause(positions);  // poll() keeps serving statistics but returns no more records

  // The consumer's own view: end of the log minus where it is.
  LagByPartition own;
  for (const auto& tp : positions)
    own[tp.partition] =
        consumer.query_watermark_offsets(topic, tp.partition, scaled(10s)).high - tp.offset;
  EXPECT_EQ(total(own), static_cast<std::int64_t>(100 - consumed));

  // librdkafka's statistics: consumer_lag per partition, once a sample shows the commit.
  LagByPartition from_stats;
  ASSERT_TRUE(await_until(
      [&] {
        consumer.poll(100ms);
        auto s = stats.latest();
        if (!s) return false;
        from_stats.clear();
        for (const auto& tp : positions)
          if (auto* p = s->partition(topic, tp.partition); p && p->committed_offset == tp.offset)
            from_stats[tp.partition] = p->consumer_lag;
        return from_stats.size() == positions.size();
      },
      scaled(30s)))
      << "no statistics sample showed the committed offsets";
  EXPECT_EQ(from_stats, own) << "librdkafka's consumer_lag";

  EXPECT_EQ(admin_lag(group, topic), own) << "klab::lab::group_lag (committed offsets vs log end)";
  EXPECT_EQ(kafka_tool_lag(group, topic), own) << "Kafka's kafka-consumer-groups";
}

TEST(ConsumerLag, LagRisesWhileProducingFasterThanConsumingAndFallsToZeroWhenCaughtUp) {
  KLAB_ROADMAP("7.2.3");
  auto topic = unique_name("lag");
  klab::testing::create_topic(topic, 1, 3);
  auto group = unique_name("g");
  Consumer consumer(klab::testing::consumer_config(cluster().client_config(), group));
  consumer.subscribe({topic});

  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(0, 20));
  ASSERT_EQ(klab::testing::consume_n(consumer, 20, 30s).size(), 20u);
  consumer.commit_sync();
  EXPECT_EQ(total(admin_lag(group, topic)), 0) << "caught up";

  // Producers write 150 while the consumer processes nothing: lag is exactly the backlog.
  klab::testing::produce_values(cluster().client_config(), topic,
                                klab::testing::numbered_values(20, 170));
  std::vector<std::int64_t> lag{total(admin_lag(group, topic))};
  EXPECT_EQ(lag.back(), 150);

  // The consumer catches up in batches of 50, committing each: lag falls batch by batch.
  for (int batch = 0; batch < 3; ++batch) {
    ASSERT_EQ(klab::testing::consume_n(consumer, 50, 30s).size(), 50u);
    consumer.commit_sync();
    lag.push_back(total(admin_lag(group, topic)));
  }
  EXPECT_EQ(lag, (std::vector<std::int64_t>{150, 100, 50, 0}));
}

}  // namespace
