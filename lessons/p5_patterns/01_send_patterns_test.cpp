// 5.1 Send patterns with KafkaTemplate: fire-and-forget, synchronous, asynchronous with a
// callback - and what each caller learns when a send fails.
//
// The failure used throughout: a topic whose max.message.bytes is 4 KiB (a per-topic config)
// and records of 10 KB. The client's own limit (message.max.bytes, 1 MB) lets them through, so
// the BROKER rejects them (MESSAGE_TOO_LARGE) after send() returned - only a caller who looks
// at the result hears about it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "klab/cluster/await.hpp"
#include "klab/framework/core/kafka_template.hpp"
#include "klab/testing/delivery_ledger.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::client::DeliveryReport;
using klab::client::PersistenceStatus;
using klab::client::ProducerRecord;
using klab::cluster::scaled;
using klab::testing::cluster;
using klab::testing::DeliveryLedger;
using klab::testing::unique_name;

using StringTemplate = klab::framework::KafkaTemplate<std::string, std::string>;

constexpr std::size_t big_value = 10'000;  // > the topic's max.message.bytes below

// A topic that refuses record batches over 4 KiB.
std::string small_limit_topic(int partitions = 1) {
  auto topic = unique_name("limit4k");
  klab::testing::create_topic(topic, partitions, 1, {{"max.message.bytes", "4096"}});
  return topic;
}

StringTemplate::Record typed(ProducerRecord r) {
  return {.topic = std::move(r.topic),
          .partition = r.partition,
          .key = std::move(r.key),
          .value = std::move(r.value)};
}

klab::client::Config reader() { return cluster().client_config(); }

TEST(P5SendPatterns, FireAndForgetDeliversEverythingWhileTheBrokerIsHealthy) {
  KLAB_ROADMAP("5.1.1");
  auto topic = unique_name("ff");
  klab::testing::create_topic(topic, 3, 1);
  StringTemplate kafka(cluster().client_config().acks("all"));
  DeliveryLedger ledger(topic);
  constexpr int count = 200;
  for (int i = 0; i < count; ++i) {
    (void)kafka.send(typed(ledger.next()));  // the future is dropped: nobody looks at it
  }
  ASSERT_FALSE(kafka.flush(scaled(30s)));
  auto report = ledger.reconcile(reader(), 30s);
  std::cout << "[5.1.1] fire-and-forget, healthy broker\n" << report.table() << '\n';
  EXPECT_EQ(report.attempted, static_cast<std::size_t>(count));
  EXPECT_EQ(report.unreported, static_cast<std::size_t>(count)) << "it never looked at a report";
  EXPECT_EQ(report.consumed_unique, static_cast<std::size_t>(count));
  EXPECT_EQ(report.duplicates, 0u);
}

TEST(P5SendPatterns, FireAndForgetCallerNeverLearnsOfAFailedSendWhileACallbackCallerCountsIt) {
  KLAB_ROADMAP("5.1.1");
  auto topic = small_limit_topic();
  StringTemplate kafka(cluster().client_config().acks("all"));
  // Two callers on the same topic, each with its own ledger (a ledger counts only its records).
  DeliveryLedger forget(topic);
  DeliveryLedger callbacks(topic);
  constexpr int good = 10;
  constexpr int bad = 5;

  // The fire-and-forget caller's bookkeeping: a send that returned is, to it, a send that
  // worked. Its ledger is told "acknowledged" right away - that is the caller's belief.
  auto fire_and_forget = [&](std::size_t value_size) {
    auto record = forget.next(std::nullopt, value_size);
    auto believe = forget.track(record);
    (void)kafka.send(typed(std::move(record)));
    believe(DeliveryReport{.status = PersistenceStatus::persisted});
  };
  auto with_callback = [&](std::size_t value_size) {
    auto record = callbacks.next(std::nullopt, value_size);
    auto track = callbacks.track(record);
    if (auto err = kafka.send(typed(record), track)) callbacks.rejected(record, err);
  };

  // Small records first and flushed, so no big record shares a batch with them.
  for (int i = 0; i < good; ++i) {
    fire_and_forget(0);
    with_callback(0);
  }
  ASSERT_FALSE(kafka.flush(scaled(30s)));
  for (int i = 0; i < bad; ++i) {
    fire_and_forget(big_value);
    with_callback(big_value);
  }
  ASSERT_FALSE(kafka.flush(scaled(30s)));

  auto ff = forget.reconcile(reader(), 30s);
  auto cb = callbacks.reconcile(reader(), 30s);
  std::cout << "[5.1.1] fire-and-forget caller's view (" << bad << " records over the topic's "
            << "max.message.bytes)\n"
            << ff.table() << "\n[5.1.1] callback caller's view\n"
            << cb.table() << '\n';
  for (auto [code, n] : callbacks.errors())
    std::cout << "[5.1.1] callback errors: " << rd_kafka_err2name(code) << " x" << n << '\n';

  EXPECT_EQ(ff.acknowledged, static_cast<std::size_t>(good + bad)) << "it believes all were sent";
  EXPECT_EQ(ff.consumed_unique, static_cast<std::size_t>(good));
  EXPECT_EQ(ff.lost, static_cast<std::size_t>(bad)) << "silently gone, as far as it knows";
  EXPECT_EQ(cb.acknowledged, static_cast<std::size_t>(good));
  EXPECT_EQ(cb.failed, static_cast<std::size_t>(bad)) << "the callback caller knows which failed";
  EXPECT_EQ(cb.lost, 0u);
  EXPECT_EQ(cb.consumed_unique, static_cast<std::size_t>(good));
  auto errors = callbacks.errors();
  EXPECT_EQ(errors[RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE], static_cast<std::size_t>(bad));
}

TEST(P5SendPatterns, SynchronousSendReturnsEachRecordsOffsetBeforeTheNextSend) {
  KLAB_ROADMAP("5.1.2");
  auto topic = unique_name("sync");
  klab::testing::create_topic(topic, 1, 1);
  StringTemplate kafka(cluster().client_config().acks("all"));
  std::vector<std::int64_t> offsets;
  for (int i = 0; i < 5; ++i) {
    auto report = kafka.send_sync({.topic = topic, .key = "k", .value = "v" + std::to_string(i)},
                                  scaled(30s));
    // The record is persisted by the time send_sync returns: nothing is in flight.
    EXPECT_EQ(report.status, PersistenceStatus::persisted);
    EXPECT_EQ(report.partition, 0);
    offsets.push_back(report.offset);
  }
  std::cout << "[5.1.2] synchronous offsets:";
  for (auto o : offsets) std::cout << ' ' << o;
  std::cout << '\n';
  EXPECT_EQ(offsets, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST(P5SendPatterns, SynchronousSendThrowsTheBrokersErrorAtTheCallSite) {
  KLAB_ROADMAP("5.1.2");
  auto topic = small_limit_topic();
  StringTemplate kafka(cluster().client_config().acks("all"));
  auto ok = kafka.send_sync({.topic = topic, .value = "small"}, scaled(30s));
  EXPECT_EQ(ok.offset, 0);
  try {
    kafka.send_sync({.topic = topic, .value = std::string(big_value, 'x')}, scaled(30s));
    FAIL() << "a 10 KB record on a 4 KiB topic was accepted";
  } catch (const klab::KafkaException& e) {
    std::cout << "[5.1.2] thrown at the call site: " << e.what() << '\n';
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  }
  // The caller can react right here; the next send still works.
  EXPECT_EQ(kafka.send_sync({.topic = topic, .value = "small"}, scaled(30s)).offset, 1);
}

TEST(P5SendPatterns, AsyncSendCallsEachCallbackExactlyOnceAndReportsFailuresWithTheirCode) {
  KLAB_ROADMAP("5.1.3");
  auto topic = small_limit_topic(3);
  StringTemplate kafka(cluster().client_config().acks("all"));
  DeliveryLedger ledger(topic);
  std::mutex mutex;
  std::map<std::string, int> calls;  // value -> callbacks received
  std::map<rd_kafka_resp_err_t, int> codes;
  auto send = [&](std::size_t value_size) {
    auto record = ledger.next("k", value_size);
    auto track = ledger.track(record);
    auto value = *record.value;
    auto err = kafka.send(typed(record), [&, track, value](const DeliveryReport& report) {
      {
        std::lock_guard lock(mutex);
        ++calls[value];
        ++codes[report.error.code()];
      }
      track(report);
    });
    if (err) ledger.rejected(record, err);
  };
  constexpr int good = 100;
  constexpr int bad = 3;
  for (int i = 0; i < good; ++i) send(0);  // returns at once: the callback comes later
  ASSERT_FALSE(kafka.flush(scaled(30s)));
  for (int i = 0; i < bad; ++i) send(big_value);
  ASSERT_FALSE(kafka.flush(scaled(30s)));

  auto report = ledger.reconcile(reader(), 30s);
  std::cout << "[5.1.3] async send with callbacks\n" << report.table() << '\n';
  std::lock_guard lock(mutex);
  EXPECT_EQ(calls.size(), static_cast<std::size_t>(good + bad)) << "every record got a callback";
  for (const auto& [value, n] : calls) EXPECT_EQ(n, 1) << value.substr(0, 40);
  EXPECT_EQ(codes[RD_KAFKA_RESP_ERR_NO_ERROR], good);
  EXPECT_EQ(codes[RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE], bad);
  EXPECT_EQ(report.acknowledged, static_cast<std::size_t>(good));
  EXPECT_EQ(report.failed, static_cast<std::size_t>(bad));
  EXPECT_EQ(report.unreported, 0u);
  EXPECT_EQ(report.lost, 0u);
  EXPECT_EQ(report.phantoms, 0u);
}

}  // namespace
