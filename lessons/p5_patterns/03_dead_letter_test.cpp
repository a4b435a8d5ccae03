// 5.2.2 Dead letter queue: a record the listener can never handle ("poison") is retried a few
// times, then parked on "<topic>-dlt" with where it came from and why it failed, and the
// partition moves on. If parking it fails, nothing moves on: the record comes back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/dead_letter_publishing_recoverer.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/testing/record_matchers.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/string_log.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::AckMode;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::DeadLetterPublishingRecoverer;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::ListenerContext;
using klab::testing::AtOffset;
using klab::testing::cluster;
using klab::testing::committed_offset;
using klab::testing::HasHeader;
using klab::testing::HasKey;
using klab::testing::HasValue;
using klab::testing::OnPartition;
using klab::testing::StringLog;
using klab::testing::unique_name;
using klab::testing::value_of;
using ::testing::AllOf;
namespace dlt = klab::framework::dlt_headers;

void handle(const ListenerContext& ctx) {
  if (ctx.record.value() == "poison") throw std::invalid_argument("cannot parse 'poison'");
}

TEST(P5DeadLetterQueue, PoisonRecordLandsInTheDltOnItsPartitionWithHeadersAndTheNextIsProcessed) {
  KLAB_ROADMAP("5.2.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 3, 1);
  klab::testing::create_topic(topic + "-dlt", 3, 1);  // as many partitions as the topic
  auto reports =
      klab::testing::produce_values(cluster().client_config(), topic, {"a", "poison", "c"}, 1, "k");
  ASSERT_EQ(reports.size(), 3u);
  const auto& poison = reports[1];

  klab::client::Producer dlt_producer(cluster().client_config().acks("all"));
  constexpr int retries = 2;
  DefaultErrorHandler errors(FixedBackOff{50ms, retries},
                             DeadLetterPublishingRecoverer(dlt_producer));
  auto group = unique_name("billing");
  StringLog handled;  // the values the listener was called with
  ConcurrentListenerContainer container(
      klab::testing::consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group},
      [&](const ListenerContext& ctx) {
        handled.add(value_of(ctx.record));
        handle(ctx);
      },
      std::move(errors));
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic, 1) == 3; }, scaled(30s)))
      << "the group moved past the poison record";
  container.stop();

  auto values = handled.snapshot();
  EXPECT_EQ(values, (std::vector<std::string>{"a", "poison", "poison", "poison", "c"}))
      << "1 delivery + " << retries << " retries, then c";
  auto parked = klab::testing::consume_until(cluster().client_config(), topic + "-dlt", 1, 30s);
  ASSERT_EQ(parked.size(), 1u);
  const auto& r = parked[0];
  EXPECT_THAT(r,
              AllOf(OnPartition(1), HasKey("k"), HasValue("poison"),
                    HasHeader(dlt::original_topic, topic), HasHeader(dlt::original_partition, "1"),
                    HasHeader(dlt::original_offset, std::to_string(poison.offset)),
                    HasHeader(dlt::original_timestamp, std::to_string(poison.timestamp.ms)),
                    HasHeader(dlt::exception_class, "std::invalid_argument"),
                    HasHeader(dlt::exception_message, "cannot parse 'poison'")));
  std::cout << "[5.2.2] deliveries of the poison record: "
            << std::count(values.begin(), values.end(), "poison") << "; DLT record: ";
  ::testing::internal::UniversalPrint(r, &std::cout);
  std::cout << "\n[5.2.2] committed offset of " << topic
            << "/1: " << committed_offset(group, topic, 1) << '\n';
}

TEST(P5DeadLetterQueue, FailedDltPublishLeavesTheOffsetUncommittedAndTheRecordComesBack) {
  KLAB_ROADMAP("5.2.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::create_topic(topic + "-dlt", 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "poison", "c"});
  klab::client::Producer dlt_producer(cluster().client_config().acks("all"));
  DeadLetterPublishingRecoverer publish(dlt_producer);
  auto group = unique_name("billing");

  // The DLT is "down" for the first two recoveries: the recoverer throws before publishing.
  constexpr int failing = 2;
  std::atomic<int> recoveries{0};
  std::vector<std::int64_t> committed_while_failing;
  DefaultErrorHandler errors(
      FixedBackOff{0ms, 1}, [&](const klab::client::Record& record, const std::exception_ptr& e) {
        int call = ++recoveries;
        if (call <= failing) {
          committed_while_failing.push_back(committed_offset(group, topic, 0));
          throw std::runtime_error("DLT unreachable");
        }
        publish(record, e);
      });
  StringLog handled;  // the values the listener was called with
  ConcurrentListenerContainer container(
      klab::testing::consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::record},
      [&](const ListenerContext& ctx) {
        handled.add(value_of(ctx.record));
        handle(ctx);
      },
      std::move(errors));
  container.start();
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic, 0) == 3; }, scaled(60s)))
      << "after the DLT came back the group moved on";
  container.stop();

  auto values = handled.snapshot();
  std::cout << "[5.2.2] recoveries " << recoveries.load() << " (" << failing
            << " failed), deliveries of poison "
            << std::count(values.begin(), values.end(), "poison") << ", committed while failing:";
  for (auto o : committed_while_failing) std::cout << ' ' << o;
  std::cout << '\n';
  EXPECT_EQ(recoveries.load(), failing + 1);
  // Each round: 1 delivery + 1 retry; a failed recovery starts a fresh round.
  EXPECT_EQ(values, (std::vector<std::string>{"a", "poison", "poison", "poison", "poison", "poison",
                                              "poison", "c"}));
  // The offset stayed at the poison record (1) while recovery failed: a crash then would
  // redeliver it, never skip it.
  EXPECT_EQ(committed_while_failing, (std::vector<std::int64_t>{1, 1}));
  auto parked = klab::testing::consume_until(cluster().client_config(), topic + "-dlt", 2, 3s);
  ASSERT_EQ(parked.size(), 1u) << "parked exactly once";
  EXPECT_THAT(parked[0], AllOf(HasValue("poison"), HasHeader(dlt::original_offset, "1")));
}

TEST(P5DeadLetterQueue, MissingDltWithAutoCreateOffBlocksThePartitionUntilTheDltExists) {
  KLAB_ROADMAP("5.2.2");
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 1, 1);
  klab::testing::produce_values(cluster().client_config(), topic, {"a", "poison", "c"});
  // No "<topic>-dlt", and this producer may not have it auto-created: each publish fails once
  // message.timeout.ms passes without the topic appearing.
  klab::client::Producer dlt_producer(
      cluster()
          .client_config()
          .acks("all")
          .set(klab::client::keys::allow_auto_create_topics, "false")
          .message_timeout_ms(2000));
  DeadLetterPublishingRecoverer publish(dlt_producer, scaled(30s));
  std::atomic<int> failed{0};
  std::string last_error;
  std::mutex mutex;
  auto group = unique_name("billing");
  DefaultErrorHandler errors(FixedBackOff{0ms, 0},
                             [&](const klab::client::Record& record, const std::exception_ptr& e) {
                               try {
                                 publish(record, e);
                               } catch (const klab::KafkaException& error) {
                                 {
                                   std::lock_guard lock(mutex);
                                   last_error = error.what();
                                 }
                                 ++failed;
                                 throw;
                               }
                             });
  StringLog handled;  // the values the listener was called with
  ConcurrentListenerContainer container(
      klab::testing::consumer_config(cluster().client_config(), group),
      {.topics = {topic}, .group_id = group, .ack_mode = AckMode::record},
      [&](const ListenerContext& ctx) {
        handled.add(value_of(ctx.record));
        handle(ctx);
      },
      std::move(errors));
  container.start();
  ASSERT_TRUE(await_until([&] { return failed.load() >= 2; }, scaled(60s)));
  EXPECT_EQ(committed_offset(group, topic, 0), 1) << "stuck at the poison record, not past it";
  {
    std::lock_guard lock(mutex);
    std::cout << "[5.2.2] DLT missing: " << failed.load()
              << " failed publishes, last: " << last_error << '\n';
  }
  klab::testing::create_topic(topic + "-dlt", 1, 1);  // the operator fixes it
  ASSERT_TRUE(await_until([&] { return committed_offset(group, topic, 0) == 3; }, scaled(60s)))
      << "once the DLT exists the record is parked and the partition moves on";
  container.stop();
  auto values = handled.snapshot();
  EXPECT_EQ(std::count(values.begin(), values.end(), "c"), 1);
  EXPECT_EQ(values.back(), "c") << "c only after the poison record was parked";
  auto parked = klab::testing::consume_until(cluster().client_config(), topic + "-dlt", 2, 3s);
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_THAT(parked[0], AllOf(HasValue("poison"), HasHeader(dlt::original_offset, "1")));
}

}  // namespace
