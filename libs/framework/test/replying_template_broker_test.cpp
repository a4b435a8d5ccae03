// ReplyingKafkaTemplate and ReplyingListenerAdapter against a real single-node cluster:
// correlation, reply headers and partition, timeouts, strangers' replies, shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/framework/requestreply/replying_kafka_template.hpp"
#include "klab/framework/requestreply/replying_listener_adapter.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

KLAB_TEST_CLUSTER(.nodes = 1);

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::ProducerRecord;
using klab::client::Record;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::ContainerProperties;
using klab::framework::ReplyingKafkaTemplate;
using klab::framework::ReplyingListenerAdapter;
using klab::testing::cluster;
using klab::testing::unique_name;

// The error a failed future carries.
klab::Error error_of(std::future<Record>& future) {
  try {
    future.get();
  } catch (const KafkaException& e) {
    return e.error();
  }
  return {};
}

std::string header(const Record& r, std::string_view key) {
  const auto* h = r.headers().last(key);
  return h && h->value ? *h->value : "<none>";
}

// An upper-casing replier on `requests`, remembering the reply headers it was asked to use.
struct EchoServer {
  std::string seen_reply_topic;
  std::optional<std::int32_t> seen_reply_partition;
  std::mutex mutex;
  ReplyingListenerAdapter adapter;
  ConcurrentListenerContainer container;

  explicit EchoServer(const std::string& requests)
      : adapter(cluster().client_config(),
                [this](const Record& r) -> std::optional<std::string> {
                  std::lock_guard lock(mutex);
                  seen_reply_topic = header(r, klab::framework::reply_topic_header);
                  seen_reply_partition = klab::framework::decode_reply_partition(
                      header(r, klab::framework::reply_partition_header));
                  std::string v(r.value().value_or(""));
                  if (v == "ignore me") return std::nullopt;
                  for (auto& c : v) c = static_cast<char>(std::toupper(c));
                  return v;
                }),
        container(klab::testing::consumer_config(cluster().client_config(), unique_name("srv")),
                  ContainerProperties{.topics = {requests}}, adapter.listener()) {
    container.start();
  }
};

TEST(ReplyHeaders, ReplyPartitionIsFourBigEndianBytes) {
  auto bytes = klab::framework::encode_reply_partition(258);
  EXPECT_EQ(bytes, std::string("\0\0\1\2", 4));
  EXPECT_EQ(klab::framework::decode_reply_partition(bytes), 258);
  EXPECT_EQ(klab::framework::decode_reply_partition("12"), std::nullopt);
}

TEST(ReplyingKafkaTemplateOnBroker, ReplyComesBackOnTheRequestedPartitionWithTheCorrelationId) {
  auto requests = unique_name("req");
  auto replies = unique_name("rep");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 2, 1);
  EchoServer server(requests);
  ReplyingKafkaTemplate client(cluster().client_config(), replies, 1);

  auto future =
      client.send_and_receive(ProducerRecord{.topic = requests, .value = "hello"}, scaled(30s));
  auto reply = future.get();
  EXPECT_EQ(reply.value(), "HELLO");
  EXPECT_EQ(reply.topic(), replies);
  EXPECT_EQ(reply.partition(), 1) << "kafka_replyPartition chose it, not the partitioner";
  EXPECT_EQ(header(reply, klab::framework::correlation_id_header).size(), 36u) << "a UUID";
  {
    std::lock_guard lock(server.mutex);
    EXPECT_EQ(server.seen_reply_topic, replies);
    EXPECT_EQ(server.seen_reply_partition, 1);
  }
  EXPECT_EQ(client.pending(), 0u);
  EXPECT_EQ(client.unknown_replies(), 0u);
  // Counted once the reply's send is acknowledged, possibly after the client read it.
  EXPECT_TRUE(await_until([&] { return server.adapter.replies_sent() == 1; }, scaled(30s), 50ms));
}

TEST(ReplyingKafkaTemplateOnBroker, NullReplyMeansNoReplyAndTheRequestTimesOut) {
  auto requests = unique_name("req");
  auto replies = unique_name("rep");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 1, 1);
  EchoServer server(requests);
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  auto ignored = client.send_and_receive({.topic = requests, .value = "ignore me"}, 1s);
  auto error = error_of(ignored);
  EXPECT_EQ(error, RD_KAFKA_RESP_ERR__TIMED_OUT) << error;
  EXPECT_NE(error.message().find("to topic '" + requests + "'"), std::string::npos) << error;
  EXPECT_NE(error.message().find("within 1000 ms"), std::string::npos) << error;
  EXPECT_EQ(client.pending(), 0u);
  EXPECT_EQ(client.late_replies(), 0u) << "no reply was ever sent";
}

TEST(ReplyingKafkaTemplateOnBroker, StrangersRepliesAreDiscardedAndCountedAsUnknown) {
  auto replies = unique_name("rep");
  klab::testing::create_topic(replies, 1, 1);
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  klab::client::Producer producer(cluster().client_config());
  ProducerRecord no_id{.topic = replies, .value = "who asked?"};
  ProducerRecord other_id{.topic = replies, .value = "not yours"};
  other_id.headers.add(std::string(klab::framework::correlation_id_header), "someone-else");
  EXPECT_FALSE(producer.send_sync(no_id, scaled(10s)).error);
  EXPECT_FALSE(producer.send_sync(other_id, scaled(10s)).error);

  EXPECT_TRUE(await_until([&] { return client.unknown_replies() == 2; }, scaled(30s), 50ms))
      << client.unknown_replies();
  EXPECT_EQ(client.late_replies(), 0u);
}

TEST(ReplyingKafkaTemplateOnBroker, ReplyWrittenBeforeTheTemplateExistedIsNotRead) {
  auto replies = unique_name("rep");
  klab::testing::create_topic(replies, 1, 1);
  klab::testing::produce_values(cluster().client_config(), replies, {"old"});
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  klab::client::Producer producer(cluster().client_config());
  EXPECT_FALSE(producer.send_sync({.topic = replies, .value = "new"}, scaled(10s)).error);
  EXPECT_TRUE(await_until([&] { return client.unknown_replies() >= 1; }, scaled(30s), 50ms));
  EXPECT_EQ(client.unknown_replies(), 1u) << "it starts at the end: 'old' is never seen";
}

TEST(ReplyingKafkaTemplateOnBroker, DestructionFailsOutstandingRequestsWithDestroy) {
  auto requests = unique_name("req");
  auto replies = unique_name("rep");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 1, 1);
  std::future<Record> orphan;
  {
    ReplyingKafkaTemplate client(cluster().client_config(), replies);
    orphan = client.send_and_receive({.topic = requests, .value = "anyone?"}, scaled(60s));
    EXPECT_EQ(client.pending(), 1u);
  }
  auto error = error_of(orphan);
  EXPECT_EQ(error, RD_KAFKA_RESP_ERR__DESTROY) << error;
}

TEST(ReplyingKafkaTemplateOnBroker, ConstructorRejectsAMissingReplyPartition) {
  auto replies = unique_name("rep");
  klab::testing::create_topic(replies, 1, 1);
  try {
    ReplyingKafkaTemplate client(cluster().client_config(), replies, 5, scaled(10s));
    FAIL() << "partition 5 of a 1-partition topic was accepted";
  } catch (const KafkaException& e) {
    EXPECT_NE(std::string(e.what()).find(replies + "/5"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ReplyingKafkaTemplate(cluster().client_config(), ""), KafkaException);
}

TEST(ReplyingKafkaTemplateOnBroker, RequestWithoutTopicFailsAtOnce) {
  auto replies = unique_name("rep");
  klab::testing::create_topic(replies, 1, 1);
  ReplyingKafkaTemplate client(cluster().client_config(), replies);
  auto future = client.send_and_receive({.value = "no topic"}, scaled(10s));
  EXPECT_EQ(error_of(future), RD_KAFKA_RESP_ERR__INVALID_ARG);
}

}  // namespace
