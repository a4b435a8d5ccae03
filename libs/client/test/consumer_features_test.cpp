// Consumer features that need no broker: the consumer typed setters, the rebalance listener
// carried by Config, local argument checks, TypedConsumer's shape and the poll loop's stop.
// The consumers point at a port nothing listens on; nothing here waits for a broker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>

#include "klab/client/config.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/poll_loop.hpp"
#include "klab/client/rebalance.hpp"
#include "klab/client/typed_consumer.hpp"

namespace {
using namespace std::chrono_literals;
using namespace klab::client;
using klab::KafkaException;

Config offline_consumer_config(const std::string& group = "unit-group") {
  Config c;
  // Port 1 on loopback: connections are refused at once, no broker is needed or reached.
  c.bootstrap_servers("127.0.0.1:1").group_id(group).log_level(0);
  return c;
}

rd_kafka_resp_err_t code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const KafkaException& e) {
    return e.error().code();
  }
  ADD_FAILURE() << "expected a KafkaException";
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

TEST(ConsumerConfig, ConsumerTypedSettersWriteLibrdkafkasKeys) {
  Config c;
  c.partition_assignment_strategy("cooperative-sticky")
      .group_instance_id("member-1")
      .max_poll_interval_ms(60000)
      .heartbeat_interval_ms(500)
      .fetch_min_bytes(1024)
      .fetch_wait_max_ms(50);
  EXPECT_EQ(c.get("partition.assignment.strategy"), "cooperative-sticky");
  EXPECT_EQ(c.get("group.instance.id"), "member-1");
  EXPECT_EQ(c.get("max.poll.interval.ms"), "60000");
  EXPECT_EQ(c.get("heartbeat.interval.ms"), "500");
  EXPECT_EQ(c.get("fetch.min.bytes"), "1024");
  EXPECT_EQ(c.get("fetch.wait.max.ms"), "50");
  EXPECT_EQ(c.effective("partition.assignment.strategy"), "cooperative-sticky")
      << "librdkafka accepted the value";
}

TEST(ConsumerConfig, RebalanceListenerIsCarriedThroughCopyMoveAndMerge) {
  int calls = 0;
  Config with;
  with.rebalance_listener([&](Consumer&, const RebalanceEvent&) { ++calls; });
  ASSERT_TRUE(with.rebalance_listener());

  Config copy = with;
  EXPECT_TRUE(copy.rebalance_listener());
  Config assigned;
  assigned = copy;
  EXPECT_TRUE(assigned.rebalance_listener());
  Config moved = std::move(assigned);
  EXPECT_TRUE(moved.rebalance_listener());

  Config base;
  EXPECT_FALSE(base.rebalance_listener());
  base.merge(with);
  EXPECT_TRUE(base.rebalance_listener()) << "merge takes the other's listener";
  base.merge(Config{});
  EXPECT_TRUE(base.rebalance_listener()) << "a Config without one does not clear it";
}

TEST(ConsumerConfig, RebalanceProtocolIsNoneBeforeJoiningAGroup) {
  Consumer consumer(offline_consumer_config());
  EXPECT_EQ(consumer.rebalance_protocol(), "NONE");
}

TEST(ConsumerConfig, GroupMetadataIsAvailableBeforeJoining) {
  Consumer consumer(offline_consumer_config());
  auto metadata = consumer.group_metadata();
  EXPECT_NE(metadata.get(), nullptr);
}

TEST(ConsumerConfig, PollBatchOfZeroRecordsIsAnInvalidArgument) {
  Consumer consumer(offline_consumer_config());
  EXPECT_EQ(code_of([&] { consumer.poll_batch(0, 0ms); }), RD_KAFKA_RESP_ERR__INVALID_ARG);
  EXPECT_TRUE(consumer.poll_batch(10, 0ms).empty()) << "nothing assigned, nothing fetched";
}

TEST(ConsumerConfig, StoreOffsetsNeedsAutoOffsetStoreOff) {
  Consumer consumer(offline_consumer_config());
  EXPECT_EQ(code_of([&] {
              consumer.store_offsets({{"t", 0, 5}});
            }),
            RD_KAFKA_RESP_ERR__INVALID_ARG)
      << "enable.auto.offset.store defaults to true";
}

TEST(ConsumerConfig, StoreOffsetsOfAnUnassignedPartitionFails) {
  auto c = offline_consumer_config();
  c.set(keys::enable_auto_offset_store, "false");
  Consumer consumer(c);
  auto code = code_of([&] { consumer.store_offsets({{"t", 0, 5}}); });
  EXPECT_TRUE(code == RD_KAFKA_RESP_ERR__STATE || code == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
      << klab::Error(code).to_string();
}

TEST(ConsumerConfig, SeekToTimestampWithNothingAssignedDoesNothing) {
  Consumer consumer(offline_consumer_config());
  EXPECT_NO_THROW(consumer.seek_to_timestamp(0, 10ms));
}

TEST(ConsumerConfig, NewFeaturesThrowStateAfterClose) {
  Consumer consumer(offline_consumer_config());
  EXPECT_FALSE(consumer.close());
  EXPECT_EQ(code_of([&] { consumer.poll_batch(1, 0ms); }), RD_KAFKA_RESP_ERR__STATE);
  EXPECT_EQ(code_of([&] { consumer.store_offsets({{"t", 0, 1}}); }), RD_KAFKA_RESP_ERR__STATE);
  EXPECT_EQ(code_of([&] {
              consumer.offsets_for_times({{"t", 0, 0}}, 10ms);
            }),
            RD_KAFKA_RESP_ERR__STATE);
  EXPECT_EQ(code_of([&] { consumer.rebalance_protocol(); }), RD_KAFKA_RESP_ERR__STATE);
  EXPECT_EQ(code_of([&] { consumer.group_metadata(); }), RD_KAFKA_RESP_ERR__STATE);
}

TEST(ConsumerConfig, MovedConsumerKeepsWorkingAndMovedFromOneDestroysQuietly) {
  Consumer first(offline_consumer_config());
  Consumer second(std::move(first));
  EXPECT_EQ(second.rebalance_protocol(), "NONE");
  Consumer third(offline_consumer_config("other-group"));
  third = std::move(second);  // closes third's own consumer first
  EXPECT_EQ(third.rebalance_protocol(), "NONE");
}

// --- TypedConsumer: compile-time shape ------------------------------------------------------

struct IntDeserializer {
  Result<int> deserialize(std::optional<std::string_view> bytes) const {
    if (!bytes) return klab::Error(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION, "null");
    return static_cast<int>(bytes->size());
  }
};
struct NotADeserializer {};

template <typename D>
concept TypedConsumerAccepts = requires {
  typename TypedConsumer<std::string, int, StringSerde, D>;
};

using StringConsumer = TypedConsumer<std::string, std::string>;
static_assert(std::is_same_v<decltype(StringConsumer::Message::key), Result<std::string>>);
static_assert(std::is_same_v<decltype(StringConsumer::Message::value), Result<std::string>>);
static_assert(std::is_same_v<decltype(StringConsumer::Message::record), Record>);
static_assert(std::is_same_v<decltype(std::declval<StringConsumer&>().poll(1ms)),
                             std::optional<StringConsumer::Message>>);
static_assert(std::is_same_v<decltype(std::declval<StringConsumer&>().raw()), Consumer&>);
static_assert(TypedConsumerAccepts<IntDeserializer>);
static_assert(!TypedConsumerAccepts<NotADeserializer>,
              "a type without deserialize() is refused at compile time");

TEST(TypedConsumerShape, RequiresAGroupLikeConsumer) {
  EXPECT_EQ(code_of([] { StringConsumer consumer{Config{}}; }), RD_KAFKA_RESP_ERR__INVALID_ARG);
}

TEST(TypedConsumerShape, PollTimesOutWithNothing) {
  TypedConsumer<std::string, int, StringSerde, IntDeserializer> consumer(offline_consumer_config());
  EXPECT_FALSE(consumer.poll(0ms));
  EXPECT_EQ(consumer.raw().rebalance_protocol(), "NONE");
}

// --- run_poll_loop --------------------------------------------------------------------------

static_assert(std::is_same_v<decltype(PollLoopOptions{}.poll_timeout), std::chrono::milliseconds>);

TEST(PollLoop, ReturnsAtOnceWhenStopWasAlreadyRequested) {
  Consumer consumer(offline_consumer_config());
  std::stop_source stop;
  stop.request_stop();
  int records = 0;
  run_poll_loop(consumer, stop.get_token(), [&](const Record&) { ++records; });
  EXPECT_EQ(records, 0);
}

TEST(PollLoop, EndsSoonAfterStopIsRequestedFromAnotherThread) {
  Consumer consumer(offline_consumer_config());
  std::atomic<bool> returned{false};
  std::jthread loop([&](std::stop_token stop) {
    run_poll_loop(
        consumer, stop, [](const Record&) {}, [](const klab::Error&) {}, {.poll_timeout = 20ms});
    returned = true;
  });
  loop.request_stop();
  loop.join();
  EXPECT_TRUE(returned);
}

}  // namespace
