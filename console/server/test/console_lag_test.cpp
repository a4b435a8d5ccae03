// The lag the console shows is the lag Kafka's own kafka-consumer-groups tool reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "console_test_support.hpp"
#include "klab/client/consumer.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/testing/records.hpp"

namespace {

using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::console::testing::find_by;
using klab::console::testing::json;

struct Lag {
  std::int64_t committed = 0, end = 0, lag = 0;
  friend bool operator==(const Lag&, const Lag&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Lag& l) {
    return os << "{committed " << l.committed << ", end " << l.end << ", lag " << l.lag << "}";
  }
};

// partition -> offsets from the tool's table:
// GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
std::map<int, Lag> tool_rows(const std::string& output, const std::string& topic) {
  std::map<int, Lag> rows;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cols(line);
    std::vector<std::string> c;
    for (std::string w; cols >> w;) c.push_back(w);
    if (c.size() >= 6 && c[1] == topic)
      rows[std::stoi(c[2])] = {std::stoll(c[3]), std::stoll(c[4]), std::stoll(c[5])};
  }
  return rows;
}

TEST(ConsoleLag, LagEqualsKafkaConsumerGroupsTool) {
  KLAB_ROADMAP("7.2.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();  // the tool runs from the lab's Kafka jars
  klab::console::testing::TempDir web;
  klab::console::testing::TestConsole console(klab::console::testing::test_options(web));
  auto topic = klab::testing::unique_name("lag");
  auto group = klab::testing::unique_name("lag-g");
  ASSERT_EQ(console.post("/api/topics", json{{"name", topic}, {"partitions", 3}}).status, 201);
  auto produce = [&](int partition, int count) {
    for (int i = 0; i < count; ++i)
      ASSERT_EQ(console
                    .post("/api/topics/" + topic + "/messages",
                          json{{"value", "v"}, {"partition", partition}})
                    .status,
                201);
  };
  produce(0, 3);
  produce(1, 2);
  produce(2, 1);
  {
    klab::client::Consumer consumer(
        klab::testing::consumer_config(klab::testing::cluster().client_config(), group)
            .enable_auto_commit(false));
    consumer.subscribe({topic});
    ASSERT_EQ(klab::testing::consume_n(consumer, 6, 60s).size(), 6u);
    consumer.commit_sync();
    consumer.close();
  }
  produce(1, 2);  // partition 1: committed 2, end 4, lag 2
  produce(2, 3);  // partition 2: committed 1, end 4, lag 3

  json shown;
  ASSERT_TRUE(await_until(
      [&] {
        shown = console.get("/api/groups/" + group).body;
        return shown.is_object() && shown.value("total_lag", -1) == 5;
      },
      scaled(60s)))
      << shown;
  std::map<int, Lag> ours;
  for (const auto& o : shown["offsets"])
    ours[o["partition"].get<int>()] = {o["committed"], o["end"], o["lag"]};

  auto result = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover())
                    .run_tool("org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                              {"--bootstrap-server", klab::testing::cluster().bootstrap(),
                               "--describe", "--group", group},
                              scaled(120s));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto kafka = tool_rows(result.output, topic);
  std::map<int, Lag> expected{{0, {3, 3, 0}}, {1, {2, 4, 2}}, {2, {1, 4, 3}}};
  EXPECT_EQ(kafka, expected) << result.output;
  EXPECT_EQ(ours, kafka) << "console: " << shown.dump() << "\nkafka-consumer-groups:\n"
                         << result.output;
}

}  // namespace
