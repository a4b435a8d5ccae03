// 6.3 Testing support: what klab::testing gives a test (Spring's @EmbeddedKafka, KafkaTestUtils
// and matchers), running the same test binaries against an external cluster through
// KLAB_BOOTSTRAP (how Docker Compose / Testcontainers users run them), and an end-to-end
// integration test of template -> listener -> DLT.
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/cluster_spec.hpp"
#include "klab/cluster/local_cluster.hpp"
#include "klab/cluster/subprocess.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/extra_cluster.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::DeadLetterPublishingRecoverer;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::KafkaTemplate;
using klab::framework::ListenerContext;
using klab::testing::AtOffset;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::HasHeader;
using klab::testing::HasKey;
using klab::testing::HasValue;
using klab::testing::OnPartition;
using klab::testing::unique_name;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace dlt = klab::framework::dlt_headers;

using StringTemplate = KafkaTemplate<std::string, std::string>;

TEST(P6EmbeddedKafka, EachBinaryHasItsOwnClusterAndEachTestItsOwnNames) {
  KLAB_ROADMAP("6.3.1 env.testcontainers");
  // KLAB_TEST_CLUSTER(.nodes = 1) in 00_cluster.cpp: started once before the first test of
  // this binary, stopped after the last (or the KLAB_BOOTSTRAP cluster, untouched).
  const auto& c = cluster();
  std::cout << "[6.3.1] this binary's cluster: " << c.bootstrap()
            << (c.external() ? " (external, KLAB_BOOTSTRAP)" : " (its own, started for it)") << ", "
            << c.node_count() << " broker(s)\n";
  EXPECT_FALSE(c.bootstrap().empty());
  // What the cluster itself reports, not what was asked for.
  klab::client::Admin admin(c.client_config());
  auto brokers = admin.describe_cluster(klab::cluster::scaled(10s)).brokers;
  EXPECT_EQ(static_cast<int>(brokers.size()), c.node_count()) << "every declared broker is up";
  if (!c.external()) {
    EXPECT_EQ(brokers.size(), 1u) << "KLAB_TEST_CLUSTER(.nodes = 1)";
    EXPECT_THAT(c.bootstrap(), StartsWith("127.0.0.1:"));
  }
  // Names carry the test's name (easy to find in the console) and never repeat.
  auto a = unique_name("orders");
  auto b = unique_name("orders");
  std::cout << "[6.3.1] unique_name(\"orders\") -> " << a << '\n';
  EXPECT_NE(a, b);
  EXPECT_THAT(a, StartsWith("P6EmbeddedKafka.EachBinaryHasItsOwnClusterAndEachTestItsOwnNames-"
                            "orders-"));
}

TEST(P6EmbeddedKafka, ConsumeUntilAndMatchersCheckWhatLandedOnTheTopic) {
  KLAB_ROADMAP("6.3.1");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  StringTemplate kafka(cluster().client_config());
  klab::client::Headers headers;
  headers.add("source", "web");
  ASSERT_FALSE(kafka
                   .send({.topic = topic,
                          .partition = 2,
                          .key = "o-1",
                          .value = "created",
                          .headers = headers})
                   .get()
                   .error);
  ASSERT_FALSE(
      kafka.send({.topic = topic, .partition = 2, .key = "o-1", .value = "paid"}).get().error);
  ASSERT_FALSE(
      kafka.send({.topic = topic, .partition = 0, .key = "o-2", .value = "created"}).get().error);

  // KafkaTestUtils.getRecords: from the beginning, no group, until the predicate holds.
  auto records = klab::testing::consume_until(
      cluster().client_config(), topic,
      [](const std::vector<klab::client::Record>& got) {
        return std::any_of(got.begin(), got.end(),
                           [](const auto& r) { return r.value() == "paid"; });
      },
      30s);
  EXPECT_THAT(records, Contains(AllOf(HasKey("o-1"), HasValue("created"),
                                      HasHeader("source", "web"), OnPartition(2), AtOffset(0))));
  EXPECT_THAT(records,
              Contains(AllOf(HasKey("o-1"), HasValue("paid"), OnPartition(2), AtOffset(1))));
  // The count form: all three.
  auto all = klab::testing::consume_until(cluster().client_config(), topic, 3, 30s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_THAT(all, Contains(AllOf(HasKey("o-2"), OnPartition(0))));
  // A matcher that does not hold fails the test and says what the record held.
  auto created = std::find_if(all.begin(), all.end(), [](const klab::client::Record& r) {
    return r.key() == std::optional<std::string_view>("o-1") && r.offset() == 0;
  });
  ASSERT_NE(created, all.end());
  const auto& first = *created;
  EXPECT_NONFATAL_FAILURE(EXPECT_THAT(first, HasHeader("source", "mobile")),
                          "whose header \"source\" is \"web\"");
  std::cout << "[6.3.1] consume_until read " << records.size() << " then " << all.size()
            << " records; e.g. ";
  ::testing::internal::UniversalPrint(first, &std::cout);
  std::cout << '\n';
}

TEST(P6ExternalCluster, SameLessonBinaryRunsAgainstAClusterNamedByKlabBootstrap) {
  KLAB_ROADMAP("6.3.2 env.testcontainers");
  KLAB_REQUIRE_LOCAL_CLUSTER();          // it starts a second cluster from the lab's Kafka install
  klab::testing::ExtraCluster external;  // stands in for Docker Compose's or a Testcontainers one
  const std::string filter = "P1Offsets.OffsetsCountUpFromZeroWithinAPartition";
  // What a Docker Compose user types: KLAB_BOOTSTRAP=localhost:9092 build/.../p1_concepts_test
  auto result = klab::cluster::run_command(
      {"env", "-u", "GTEST_OUTPUT", "-u", "KLAB_CLIENT_PROPERTIES",
       "KLAB_BOOTSTRAP=" + external.bootstrap(), KLAB_P1_CONCEPTS_TEST, "--gtest_filter=" + filter},
      scaled(120s));
  std::cout << "[6.3.2] KLAB_BOOTSTRAP=" << external.bootstrap()
            << " p1_concepts_test --gtest_filter=" << filter << " -> exit " << result.exit_code
            << '\n';
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("using the external cluster at " + external.bootstrap()));
  EXPECT_THAT(result.output, Not(HasSubstr("test cluster ready")))
      << "it must not have started a cluster of its own";
  EXPECT_THAT(result.output, HasSubstr("[  PASSED  ] 1 test"));

  // And its topic is on the external cluster, not on this binary's.
  auto config = klab::client::Config().bootstrap_servers(external.bootstrap());
  auto topics = klab::client::Admin(config).list_topics(false, scaled(10s));
  auto prefix = filter + "-log-";
  auto found = std::find_if(topics.begin(), topics.end(),
                            [&](const std::string& t) { return t.starts_with(prefix); });
  ASSERT_NE(found, topics.end()) << "no " << prefix << "* topic on " << external.bootstrap();
  std::cout << "[6.3.2] topic created on the external cluster: " << *found << '\n';
  auto ours = klab::client::Admin(cluster().client_config()).list_topics(false, scaled(10s));
  EXPECT_EQ(std::count(ours.begin(), ours.end(), *found), 0);
}

TEST(P6IntegrationTest, TemplateListenerAndDltEndToEnd) {
  KLAB_ROADMAP("6.3.3");
  auto topic = unique_name("orders");
  auto dlt_topic = topic + "-dlt";
  klab::testing::create_topic(topic, 3, 1);
  klab::testing::create_topic(dlt_topic, 3, 1);

  // The application under test: a listener that rejects a poison order, retried once, then
  // dead-lettered; a DLT listener (Spring's @DltHandler) in its own group.
  klab::client::Producer dlt_producer(cluster().client_config().acks("all"));
  std::mutex mutex;
  std::multiset<std::string> processed;
  std::vector<std::string> dead;
  auto group = unique_name("billing");
  auto dlt_group = unique_name("billing-dlt");
  ConcurrentListenerContainer app(
      klab::testing::consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .concurrency = 3},
      [&](const ListenerContext& ctx) {
        if (ctx.record.value() == "poison") throw std::domain_error("order total below zero");
        std::lock_guard lock(mutex);
        processed.emplace(ctx.record.value().value_or(""));
      },
      DefaultErrorHandler(FixedBackOff{0ms, 1}, DeadLetterPublishingRecoverer(dlt_producer)));
  ConcurrentListenerContainer dlt_handler(
      klab::testing::consumer_config(cluster().client_config(), dlt_group),
      {.topics = {dlt_topic}, .group_id = dlt_group}, [&](const ListenerContext& ctx) {
        std::lock_guard lock(mutex);
        dead.emplace_back(ctx.record.value().value_or(""));
      });
  app.start();
  dlt_handler.start();

  StringTemplate kafka(cluster().client_config().acks("all"));
  std::map<int, std::int64_t> end;  // partition -> offset after its last record
  std::optional<klab::client::DeliveryReport> poison;
  for (int i = 0; i < 9; ++i) {
    auto value = i == 4 ? std::string("poison") : "order-" + std::to_string(i);
    auto report = kafka.send(topic, "customer-" + std::to_string(i % 4), value).get();
    ASSERT_FALSE(report.error) << report.error.to_string();
    end[report.partition] = report.offset + 1;
    if (i == 4) poison = report;
  }
  auto at_end = [&](const std::string& g, const std::string& t,
                    const std::map<int, std::int64_t>& e) {
    for (auto [p, o] : e)
      if (committed_offset(g, t, p) != o) return false;
    return true;
  };
  ASSERT_TRUE(await_until([&] { return at_end(group, topic, end); }, scaled(60s)));
  std::map<int, std::int64_t> dlt_end{{poison->partition, 1}};
  ASSERT_TRUE(await_until([&] { return at_end(dlt_group, dlt_topic, dlt_end); }, scaled(60s)));
  app.stop();
  dlt_handler.stop();

  std::cout << "[6.3.3] processed " << processed.size() << ", dead-lettered " << dead.size()
            << "; committed";
  for (auto [p, o] : end) std::cout << " orders/" << p << '=' << o;
  std::cout << ", DLT/" << poison->partition << "=1\n";
  EXPECT_EQ(processed.size(), 8u);
  for (int i = 0; i < 9; ++i) {
    if (i != 4) {
      EXPECT_EQ(processed.count("order-" + std::to_string(i)), 1u) << i;
    }
  }
  EXPECT_EQ(dead, std::vector<std::string>{"poison"});
  auto parked = klab::testing::consume_until(cluster().client_config(), dlt_topic, 1, 30s);
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_THAT(parked[0], AllOf(OnPartition(poison->partition), HasKey("customer-0"),
                               HasHeader(dlt::original_topic, topic),
                               HasHeader(dlt::original_offset, std::to_string(poison->offset)),
                               HasHeader(dlt::exception_class, "std::domain_error"),
                               HasHeader(dlt::exception_message, "order total below zero")));
}

}  // namespace
