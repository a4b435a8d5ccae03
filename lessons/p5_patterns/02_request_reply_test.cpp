// 5.2.1 Request-reply: Spring's ReplyingKafkaTemplate and @SendTo on two topics. The request
// carries a correlation id and where to answer; the replier copies the id back; the requester's
// own reply consumer matches replies to the requests waiting for them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "klab/client/error.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/framework/listener/error_handler.hpp"
#include "klab/framework/listener/listener_container.hpp"
#include "klab/framework/requestreply/replying_kafka_template.hpp"
#include "klab/framework/requestreply/replying_listener_adapter.hpp"
#include "klab/testing/records.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::KafkaException;
using klab::client::ProducerRecord;
using klab::client::Record;
using klab::cluster::await_until;
using klab::cluster::scaled;
using klab::framework::AckMode;
using klab::framework::ConcurrentListenerContainer;
using klab::framework::ContainerProperties;
using klab::framework::DefaultErrorHandler;
using klab::framework::FixedBackOff;
using klab::framework::ReplyFunction;
using klab::framework::ReplyingKafkaTemplate;
using klab::framework::ReplyingListenerAdapter;
using klab::testing::cluster;
using klab::testing::unique_name;

// "n" -> "n*n": the server of these lessons.
std::optional<std::string> square(const Record& request) {
  auto n = std::stoll(std::string(request.value().value_or("0")));
  return std::to_string(n * n);
}

// A replier: the adapter turns a function into the container's listener (@KafkaListener +
// @SendTo in Spring).
struct Server {
  ReplyingListenerAdapter adapter;
  ConcurrentListenerContainer container;

  Server(const std::string& requests, ReplyFunction fn, int concurrency = 1,
         DefaultErrorHandler error_handler = {})
      : adapter(cluster().client_config(), std::move(fn)),
        container(
            klab::testing::consumer_config(cluster().client_config(), unique_name("server")),
            ContainerProperties{
                .topics = {requests}, .ack_mode = AckMode::record, .concurrency = concurrency},
            adapter.listener(), std::move(error_handler)) {
    container.start();
  }
};

klab::Error error_of(std::future<Record>& future) {
  try {
    future.get();
  } catch (const KafkaException& e) {
    return e.error();
  }
  return {};
}

TEST(P5RequestReply, HundredConcurrentRequestsEachGetExactlyTheirOwnReply) {
  KLAB_ROADMAP("5.2.1");
  auto requests = unique_name("squares");
  auto replies = unique_name("squares-replies");
  klab::testing::create_topic(requests, 3, 1);
  klab::testing::create_topic(replies, 1, 1);
  Server server(requests, square, 3);
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  // All 100 are in flight before the first reply is awaited.
  std::vector<std::future<Record>> futures;
  for (int n = 0; n < 100; ++n)
    futures.push_back(client.send_and_receive(
        ProducerRecord{.topic = requests, .key = std::to_string(n), .value = std::to_string(n)},
        scaled(60s)));
  auto in_flight = client.pending();

  std::set<std::string> correlation_ids;
  int right = 0;
  for (int n = 0; n < 100; ++n) {
    auto reply = futures[n].get();
    EXPECT_EQ(reply.value(), std::to_string(n * n)) << "request " << n;
    EXPECT_EQ(reply.key(), std::to_string(n)) << "the replier keeps the request's key";
    if (reply.value() == std::to_string(n * n)) ++right;
    correlation_ids.insert(*reply.headers().last(klab::framework::correlation_id_header)->value);
  }
  // The server counts a reply once its send is acknowledged, which may be just after the
  // client already read it.
  EXPECT_TRUE(await_until([&] { return server.adapter.replies_sent() == 100; }, scaled(30s), 50ms));
  std::cout << "[5.2.1] requests=100 in_flight_at_once=" << in_flight << " right_replies=" << right
            << " distinct_correlation_ids=" << correlation_ids.size()
            << " replies_sent=" << server.adapter.replies_sent()
            << " unknown=" << client.unknown_replies() << " late=" << client.late_replies() << '\n';
  EXPECT_EQ(right, 100);
  EXPECT_EQ(correlation_ids.size(), 100u) << "one id per request";
  EXPECT_EQ(server.adapter.replies_sent(), 100u);
  EXPECT_EQ(client.pending(), 0u);
  EXPECT_EQ(client.unknown_replies(), 0u);
  EXPECT_EQ(client.late_replies(), 0u);
}

TEST(P5RequestReply, RequestNobodyAnswersTimesOutWithTimedOut) {
  KLAB_ROADMAP("5.2.1");
  auto requests = unique_name("nobody-listens");
  auto replies = unique_name("nobody-replies");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 1, 1);
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  auto future = client.send_and_receive({.topic = requests, .value = "7"}, 1s);
  auto error = error_of(future);
  std::cout << "[5.2.1] unanswered: " << error << '\n';
  EXPECT_EQ(error, RD_KAFKA_RESP_ERR__TIMED_OUT) << error;
  EXPECT_NE(error.message().find(requests), std::string::npos) << "names the request: " << error;
  EXPECT_NE(error.message().find("within 1000 ms"), std::string::npos) << "and the wait";
  EXPECT_EQ(client.pending(), 0u) << "a timed-out request is forgotten";
}

TEST(P5RequestReply, ReplyArrivingAfterTheTimeoutIsDiscardedAndCounted) {
  KLAB_ROADMAP("5.2.1");
  auto requests = unique_name("slow");
  auto replies = unique_name("slow-replies");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 1, 1);
  // The server is slow on purpose: it holds the reply to "11" until the client gave up.
  std::atomic<bool> client_gave_up{false};
  Server server(requests, [&](const Record& r) -> std::optional<std::string> {
    if (r.value() == "11") await_until([&] { return client_gave_up.load(); }, scaled(60s), 10ms);
    return square(r);
  });
  ReplyingKafkaTemplate client(cluster().client_config(), replies);

  auto late = client.send_and_receive({.topic = requests, .value = "11"}, 1s);
  EXPECT_EQ(error_of(late), RD_KAFKA_RESP_ERR__TIMED_OUT);
  client_gave_up = true;

  ASSERT_TRUE(await_until([&] { return client.late_replies() == 1; }, scaled(30s), 50ms))
      << "late=" << client.late_replies() << " unknown=" << client.unknown_replies();
  EXPECT_EQ(client.unknown_replies(), 0u) << "late, not unknown: the id was ours";
  // The template is still healthy: the next request gets its reply.
  EXPECT_EQ(client.send_and_receive({.topic = requests, .value = "12"}, scaled(30s)).get().value(),
            "144");
  std::cout << "[5.2.1] late_replies=" << client.late_replies()
            << " unknown_replies=" << client.unknown_replies() << '\n';
}

TEST(P5RequestReply, RequestWithoutReplyHeadersFailsNamingTheMissingHeader) {
  KLAB_ROADMAP("5.2.1");
  auto requests = unique_name("headerless");
  auto replies = unique_name("headerless-replies");
  klab::testing::create_topic(requests, 1, 1);
  klab::testing::create_topic(replies, 1, 1);
  std::mutex mutex;
  std::vector<std::string> failures;
  std::atomic<int> handled{0};
  // No retries: a missing header will not appear on a second delivery.
  DefaultErrorHandler handler(FixedBackOff{0ms, 0},
                              [&](const Record&, const std::exception_ptr& error) {
                                try {
                                  std::rethrow_exception(error);
                                } catch (const std::exception& e) {
                                  std::lock_guard lock(mutex);
                                  failures.emplace_back(e.what());
                                }
                              });
  Server server(
      requests,
      [&](const Record& r) {
        ++handled;
        return square(r);
      },
      1, handler);

  // A plain producer: no correlation id at all, then an id but no reply topic.
  klab::client::Producer producer(cluster().client_config());
  ProducerRecord no_id{.topic = requests, .value = "3"};
  no_id.headers.add(std::string(klab::framework::reply_topic_header), replies);
  ProducerRecord no_topic{.topic = requests, .value = "4"};
  no_topic.headers.add(std::string(klab::framework::correlation_id_header), "abc");
  ASSERT_FALSE(producer.send_sync(no_id, scaled(10s)).error);
  ASSERT_FALSE(producer.send_sync(no_topic, scaled(10s)).error);
  // And a proper request after them, to show the container moved on.
  ReplyingKafkaTemplate client(cluster().client_config(), replies);
  EXPECT_EQ(client.send_and_receive({.topic = requests, .value = "5"}, scaled(30s)).get().value(),
            "25");

  ASSERT_TRUE(await_until(
      [&] {
        std::lock_guard lock(mutex);
        return failures.size() == 2;
      },
      scaled(30s), 50ms));
  std::lock_guard lock(mutex);
  for (auto& f : failures) std::cout << "[5.2.1] recovered: " << f << '\n';
  EXPECT_NE(failures[0].find("kafka_correlationId"), std::string::npos) << failures[0];
  EXPECT_NE(failures[1].find("kafka_replyTopic"), std::string::npos) << failures[1];
  EXPECT_NE(failures[0].find("_BAD_MSG"), std::string::npos) << failures[0];
  EXPECT_EQ(handled.load(), 1) << "the handler never ran for the headerless requests";
  EXPECT_TRUE(await_until([&] { return server.adapter.replies_sent() == 1; }, scaled(30s), 50ms));
}

}  // namespace
