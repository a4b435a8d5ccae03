#include "klab/testing/records.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <random>

#include "klab/client/admin.hpp"
#include "klab/client/config_keys.hpp"
#include "klab/client/topic_partition.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"

namespace klab::testing {
using namespace std::chrono_literals;

std::vector<klab::client::DeliveryReport> produce_values(const klab::client::Config& config,
                                                         const std::string& topic,
                                                         const std::vector<std::string>& values,
                                                         std::optional<int> partition,
                                                         std::optional<std::string> key) {
  auto c = config;
  c.set(klab::client::keys::acks, "all");
  klab::client::Producer producer(c);
  std::vector<klab::client::DeliveryReport> reports;
  for (const auto& v : values) {
    klab::client::ProducerRecord r;
    r.topic = topic;
    r.partition = partition;
    r.key = key;
    r.value = v;
    auto report = producer.send_sync(r, klab::cluster::scaled(30s));
    if (report.error)
      ADD_FAILURE() << "record '" << v << "' not delivered: " << report.error.to_string();
    reports.push_back(std::move(report));
  }
  return reports;
}

std::vector<klab::client::Record> consume_n(klab::client::Consumer& consumer, std::size_t count,
                                            std::chrono::milliseconds timeout) {
  std::vector<klab::client::Record> out;
  auto deadline = std::chrono::steady_clock::now() + klab::cluster::scaled(timeout);
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto r = consumer.poll(200ms);
    if (!r) continue;
    if (r->error()) {
      ADD_FAILURE() << "consumer error: " << r->error().to_string();
      continue;
    }
    out.push_back(std::move(*r));
  }
  return out;
}

namespace {

// The partitions of `topic`, retried until the deadline: a topic created a moment ago may not
// be in the metadata yet.
std::vector<klab::client::TopicPartition> partitions_of(
    const klab::client::Config& config, const std::string& topic,
    std::chrono::steady_clock::time_point deadline) {
  klab::client::Admin admin(config);
  std::vector<klab::client::TopicPartition> out;
  klab::Error error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto described = [&] {
    try {
      auto topics = admin.describe_topics({topic}, klab::cluster::scaled(5s));
      if (topics.empty()) return false;
      if (topics.front().error) {
        error = topics.front().error;
        return false;
      }
      for (const auto& p : topics.front().partitions)
        out.push_back({topic, p.id, klab::client::offset_beginning});
      return !out.empty();
    } catch (const klab::KafkaException& e) {
      error = e.error();
      return false;
    }
  };
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (!klab::cluster::await_until(described, std::max(left, std::chrono::milliseconds(1)), 100ms))
    throw klab::KafkaException(error, "consume_until: cannot describe topic '" + topic + "'");
  return out;
}

}  // namespace

std::vector<klab::client::Record> consume_until(
    const klab::client::Config& config, const std::string& topic,
    const std::function<bool(const std::vector<klab::client::Record>&)>& done,
    std::chrono::milliseconds timeout) {
  static std::atomic<int> counter{0};
  auto deadline = std::chrono::steady_clock::now() + klab::cluster::scaled(timeout);
  auto c = config;
  auto group = c.effective(klab::client::keys::group_id);
  // librdkafka 2.0.2 wants a group even for assign(); nothing is committed to it.
  if (!group || group->empty())
    c.group_id("klab-consume-until-" + std::to_string(std::random_device{}() % 1000000) + "-" +
               std::to_string(counter++));
  c.set(klab::client::keys::enable_auto_commit, "false");
  c.set(klab::client::keys::enable_partition_eof, "false");
  auto partitions = partitions_of(config, topic, deadline);
  klab::client::Consumer consumer(c);
  consumer.assign(partitions);
  std::vector<klab::client::Record> out;
  if (done(out)) return out;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = consumer.poll(200ms);
    if (!r) continue;
    if (r->error()) {
      if (r->error().code() != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        ADD_FAILURE() << "consume_until(" << topic
                      << "): consumer error: " << r->error().to_string();
      continue;
    }
    out.push_back(std::move(*r));
    if (done(out)) break;
  }
  return out;
}

std::vector<klab::client::Record> consume_until(const klab::client::Config& config,
                                                const std::string& topic, std::size_t count,
                                                std::chrono::milliseconds timeout) {
  return consume_until(
      config, topic,
      [count](const std::vector<klab::client::Record>& got) { return got.size() >= count; },
      timeout);
}

klab::client::Config consumer_config(klab::client::Config base, const std::string& group) {
  base.set(klab::client::keys::group_id, group);
  base.set(klab::client::keys::auto_offset_reset, "earliest");
  base.set(klab::client::keys::enable_auto_commit, "false");
  return base;
}

std::int64_t committed_offset(const std::string& group, const std::string& topic,
                              std::int32_t partition) {
  klab::client::Admin admin(cluster().client_config());
  std::int64_t offset = -1;
  // A coordinator that is still loading or moving answers with a retriable error: ask again.
  klab::cluster::await_until(
      [&] {
        try {
          auto offsets =
              admin.committed_offsets(group, {{topic, partition}}, klab::cluster::scaled(10s));
          offset = offsets.empty() ? -1 : offsets[0].offset;
          return true;
        } catch (const klab::KafkaException& e) {
          if (!e.error().retriable()) throw;
          return false;
        }
      },
      klab::cluster::scaled(30s), 100ms);
  return offset;
}

std::int64_t end_offset(const std::string& topic, std::int32_t partition) {
  return klab::client::Admin(cluster().client_config())
      .watermark_offsets(topic, partition, klab::cluster::scaled(10s))
      .high;
}

std::string value_of(const klab::client::Record& record) {
  return std::string(record.value().value_or(""));
}

std::vector<std::string> numbered_values(int from, int to) {
  std::vector<std::string> values;
  for (int i = from; i < to; ++i) values.push_back(std::to_string(i));
  return values;
}

}  // namespace klab::testing
