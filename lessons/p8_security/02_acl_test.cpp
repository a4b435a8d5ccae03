// 8.2.2 Authorization (ACL): with StandardAuthorizer and no allow.everyone.if.no.acl.found,
// a principal may do only what an ACL allows. Each test runs Kafka's authorizer cycle: the call
// is refused, an ACL is added and the same call works, the ACL is removed and it is refused
// again. alice and bob connect over mTLS (CN=alice acts as User:alice); admin is a super user.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "klab/client/admin.hpp"
#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/cluster/acl_command.hpp"
#include "klab/cluster/await.hpp"
#include "klab/cluster/kafka_runtime.hpp"
#include "klab/cluster/secure_listeners.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"
#include "security_lesson.hpp"

// Named, not anonymous: the unity build compiles the lesson files as one.
namespace p8_acl {
using namespace std::chrono_literals;
using klab::client::AclBinding;
using klab::client::AclOperation;
using klab::client::AclPatternType;
using klab::client::AclPermission;
using klab::client::AclResourceType;
using klab::client::Config;
using klab::cluster::scaled;
using klab::cluster::SecureListener;
using klab::lessons::grant;
using klab::lessons::produce_records;
using klab::lessons::revoke;
using klab::testing::cluster;
using klab::testing::unique_name;

constexpr int records = 20;

Config as(const std::string& user) {
  return cluster().client_config_as(user, SecureListener::mtls);
}

AclBinding allow(const std::string& user, AclOperation op, AclResourceType type,
                 const std::string& name, AclPatternType pattern = AclPatternType::literal) {
  return {type, name, pattern, "User:" + user, "*", op, AclPermission::allow};
}

// The admin's view of what a refused producer left: nothing acknowledged, nothing on the topic.
void expect_refused(const klab::lessons::Delivery& d, rd_kafka_resp_err_t code) {
  EXPECT_TRUE(d.refused_with(code)) << d.report.table();
  EXPECT_EQ(d.report.failed, static_cast<std::size_t>(records));
  klab::lessons::expect_none_delivered(d);
}

void expect_delivered(const klab::lessons::Delivery& d) {
  klab::lessons::expect_all_delivered(d, records);
}

TEST(P8Acl, ProduceIsRefusedUntilAWriteAclIsAddedAndRefusedAgainOnceItIsRemoved) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-produce");
  klab::testing::create_topic(topic, 1, 1);
  expect_refused(produce_records(as("alice"), topic, records),
                 RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  auto write = allow("alice", AclOperation::write, AclResourceType::topic, topic);
  grant(write);
  expect_delivered(produce_records(as("alice"), topic, records));
  revoke(write);
  expect_refused(produce_records(as("alice"), topic, records),
                 RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  EXPECT_EQ(klab::lessons::records_on(topic), records) << "only the allowed run wrote";
}

// 8.3.3's authorization row: a refusal is neither retriable nor fatal. Retrying cannot help and
// the client stays usable: the fix is an ACL, after which the same producer writes.
TEST(P8Acl, AnAuthorizationFailureIsNotRetriableNorFatalAndTheSameProducerWritesOnceAllowed) {
  KLAB_ROADMAP("8.3.3");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-error-kind");
  klab::testing::create_topic(topic, 1, 1);
  auto config = as("alice").delivery_timeout_ms(10'000);
  config.set("topic.metadata.refresh.interval.ms", "1000");
  klab::client::Producer producer(config);
  // Once librdkafka has seen the refusal in metadata, send() itself fails with it until the
  // next refresh: either way the application is told the same error.
  auto send = [&] {
    try {
      return producer.send_sync({.topic = topic, .value = "v"}, scaled(10s)).error;
    } catch (const klab::KafkaException& e) {
      return e.error();
    }
  };
  auto refused = send();
  std::cout << "| authorization | " << refused.name() << " | retriable " << refused.retriable()
            << " | fatal " << refused.fatal() << " | add the ACL, then resend |\n";
  EXPECT_EQ(refused.code(), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) << refused.to_string();
  EXPECT_FALSE(refused.retriable());
  EXPECT_FALSE(refused.fatal());
  auto write = allow("alice", AclOperation::write, AclResourceType::topic, topic);
  grant(write);
  EXPECT_TRUE(klab::cluster::await_until([&] { return !send(); }, scaled(30s), 500ms))
      << "the same producer writes once the ACL is there";
  revoke(write);
}

// What a consumer in `group` saw within a while: records read and the error codes it was told.
struct ConsumeRun {
  int records = 0;
  std::set<rd_kafka_resp_err_t> errors;
};
ConsumeRun consume_as(const std::string& user, const std::string& topic, const std::string& group,
                      rd_kafka_resp_err_t expected_error) {
  auto config = as(user);
  config.group_id(group);
  config.set("auto.offset.reset", "earliest");
  klab::client::Consumer consumer(config);
  consumer.subscribe({topic});
  ConsumeRun run;
  klab::cluster::await_until(
      [&] {
        if (auto r = consumer.poll(200ms)) {
          if (r->error())
            run.errors.insert(r->error().code());
          else
            ++run.records;
        }
        return run.records == records || run.errors.contains(expected_error);
      },
      scaled(30s));
  std::cout << user << " in group " << group << " read " << run.records << " record(s); errors:";
  for (auto e : run.errors) std::cout << ' ' << klab::Error(e).name();
  std::cout << '\n';
  return run;
}

TEST(P8Acl, ConsumingNeedsReadOnTheTopicAndOnTheGroupAndEachMissingOneHasItsOwnError) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-consume");
  auto group = unique_name("acl-consume-group");
  klab::testing::create_topic(topic, 1, 1);
  expect_delivered(produce_records(cluster().client_config(), topic, records));
  auto read_topic = allow("alice", AclOperation::read, AclResourceType::topic, topic);
  auto read_group = allow("alice", AclOperation::read, AclResourceType::group, group);

  grant(read_topic);  // the group ACL is missing
  auto no_group = consume_as("alice", topic, group, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED);
  EXPECT_TRUE(no_group.errors.contains(RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED));
  EXPECT_EQ(no_group.records, 0);

  revoke(read_topic);
  grant(read_group);  // the topic ACL is missing
  auto no_topic = consume_as("alice", topic, group, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  EXPECT_TRUE(no_topic.errors.contains(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  EXPECT_EQ(no_topic.records, 0);

  grant(read_topic);  // both
  auto both = consume_as("alice", topic, group, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(both.records, records);
  EXPECT_TRUE(both.errors.empty());
  revoke(read_topic);
  revoke(read_group);
}

TEST(P8Acl, ClusterLevelAdminCallsNeedAClusterAclOrAreClusterAuthorizationFailed) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  klab::client::Admin alice(as("alice"));
  // A broker's configs: DESCRIBE_CONFIGS on the cluster.
  auto broker_config_code = [&]() -> rd_kafka_resp_err_t {
    try {
      alice.describe_broker_config(1, scaled(10s));
      return RD_KAFKA_RESP_ERR_NO_ERROR;
    } catch (const klab::KafkaException& e) {
      std::cout << "alice describe_broker_config: " << e.what() << '\n';
      return e.error().code();
    }
  };
  EXPECT_EQ(broker_config_code(), RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
  auto describe_configs =
      allow("alice", AclOperation::describe_configs, AclResourceType::cluster, "kafka-cluster");
  grant(describe_configs);
  EXPECT_EQ(broker_config_code(), RD_KAFKA_RESP_ERR_NO_ERROR);
  revoke(describe_configs);
  EXPECT_EQ(broker_config_code(), RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
  // Changing ACLs needs ALTER on the cluster: alice cannot grant herself anything.
  auto errors = alice.create_acls({allow("alice", AclOperation::all, AclResourceType::topic, "*")},
                                  scaled(10s));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].code(), RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
      << errors[0].to_string();
}

// Kafka's kafka-acls --list run as `user` over mTLS: its exit code and output.
klab::cluster::CommandResult list_acls_with_kafka_tool(const std::string& user) {
  auto rt = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover());
  auto props = cluster().local().client_properties(user, SecureListener::mtls);
  auto config = klab::cluster::java_command_config(cluster().local().security().dir() /
                                                   (user + "-mtls.properties"));
  return rt.run_tool("org.apache.kafka.tools.AclCommand",
                     {"--bootstrap-server", props.at("bootstrap.servers"), "--command-config",
                      config.string(), "--list"},
                     scaled(60s));
}

// A finding: the broker refuses alice's DescribeAcls with CLUSTER_AUTHORIZATION_FAILED, and
// librdkafka (2.0.2 and still today) reads that error code and then drops it, so alice is
// told "no ACLs". Kafka's Java tool, asked the same as alice, reports the refusal.
TEST(P8Acl, LibrdkafkaHandsARefusedDescribeAclsBackAsAnEmptyList) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-listed");
  auto read = allow("bob", AclOperation::read, AclResourceType::topic, topic);
  grant(read);
  klab::client::Admin admin(cluster().client_config());
  EXPECT_FALSE(admin.describe_acls({}, scaled(10s)).empty()) << "the admin sees bob's ACL";
  klab::client::Admin alice(as("alice"));
  EXPECT_TRUE(alice.describe_acls({}, scaled(10s)).empty())
      << "librdkafka now reports DescribeAcls errors: make describe_acls() say so and update "
         "this lesson";
  auto java = list_acls_with_kafka_tool("alice");
  EXPECT_NE(java.exit_code, 0);
  EXPECT_NE(java.output.find("ClusterAuthorizationException"), std::string::npos) << java.output;
  std::cout << "kafka-acls --list as alice: "
            << java.output.substr(0, java.output.find('\n', java.output.find("Exception"))) << '\n';
  revoke(read);
}

TEST(P8Acl, APrefixedAclCoversEveryTopicWhoseNameStartsWithThePrefixAndNoOther) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto prefix = unique_name("orders") + "-";
  auto inside = prefix + "eu";
  auto outside = unique_name("payments");
  klab::testing::create_topic(inside, 1, 1);
  klab::testing::create_topic(outside, 1, 1);
  auto write_prefix =
      allow("alice", AclOperation::write, AclResourceType::topic, prefix, AclPatternType::prefixed);
  grant(write_prefix);
  expect_delivered(produce_records(as("alice"), inside, records));
  expect_refused(produce_records(as("alice"), outside, records),
                 RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  revoke(write_prefix);
}

TEST(P8Acl, ADenyBeatsAnAllowThatCoversTheSameTopic) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto prefix = unique_name("team") + "-";
  auto open_topic = prefix + "open";
  auto secret_topic = prefix + "secret";
  klab::testing::create_topic(open_topic, 1, 1);
  klab::testing::create_topic(secret_topic, 1, 1);
  // Everyone may write to the team's topics; alice is denied the secret one.
  auto everyone =
      allow("*", AclOperation::write, AclResourceType::topic, prefix, AclPatternType::prefixed);
  AclBinding deny_alice{AclResourceType::topic, secret_topic, AclPatternType::literal,
                        "User:alice",           "*",          AclOperation::write,
                        AclPermission::deny};
  grant(everyone);
  grant(deny_alice);
  expect_delivered(produce_records(as("alice"), open_topic, records));
  expect_refused(produce_records(as("alice"), secret_topic, records),
                 RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  expect_delivered(produce_records(as("bob"), secret_topic, records));  // the ALLOW still holds
  revoke(deny_alice);
  revoke(everyone);
}

// One idempotent producer run as alice: its ledger and every client-level error it was told.
struct IdempotentRun {
  klab::lessons::Delivery delivery;
  klab::lessons::ClientErrors errors;
  /// The fatal error's code, waiting for it when `expected` (a fatal error is raised before the
  /// queued records fail, but on another thread); NO_ERROR when there is none.
  rd_kafka_resp_err_t fatal(bool expected) const {
    auto find = [&] {
      for (const auto& e : errors.all())
        if (e.fatal()) return e.code();
      return RD_KAFKA_RESP_ERR_NO_ERROR;
    };
    if (expected)
      klab::cluster::await_until([&] { return find() != RD_KAFKA_RESP_ERR_NO_ERROR; }, scaled(30s));
    return find();
  }
};
IdempotentRun idempotent_run(const std::string& topic) {
  IdempotentRun run;
  auto config = as("alice");
  config.enable_idempotence(true);
  run.errors.attach(config);
  run.delivery = produce_records(config, topic, records);
  return run;
}

TEST(P8Acl, AnIdempotentProducerNeedsWriteOnSomeTopicOrIdempotentWriteOnTheCluster) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-idempotent");
  klab::testing::create_topic(topic, 1, 1);
  // DESCRIBE lets alice see the topic (and is no WRITE), so no record is refused before the
  // producer id is settled: each run below is decided by InitProducerId first.
  auto describe = allow("alice", AclOperation::describe, AclResourceType::topic, topic);
  grant(describe);
  // No WRITE anywhere: InitProducerId is refused before any record, a fatal error.
  auto none = idempotent_run(topic);
  EXPECT_EQ(none.fatal(true), RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED)
      << none.errors.summary();
  klab::lessons::expect_none_delivered(none.delivery);
  // IDEMPOTENT_WRITE on the cluster gets a producer id, yet the topic still needs WRITE.
  auto idempotent =
      allow("alice", AclOperation::idempotent_write, AclResourceType::cluster, "kafka-cluster");
  grant(idempotent);
  auto id_only = idempotent_run(topic);
  EXPECT_TRUE(id_only.delivery.refused_with(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED))
      << id_only.delivery.report.table();
  EXPECT_EQ(id_only.fatal(false), RD_KAFKA_RESP_ERR_NO_ERROR) << id_only.errors.summary();
  klab::lessons::expect_none_delivered(id_only.delivery);
  revoke(idempotent);
  // Since Kafka 3.0 (KIP-679) WRITE on a topic is enough: no IDEMPOTENT_WRITE needed.
  auto write = allow("alice", AclOperation::write, AclResourceType::topic, topic);
  grant(write);
  auto with_write = idempotent_run(topic);
  expect_delivered(with_write.delivery);
  EXPECT_EQ(with_write.fatal(false), RD_KAFKA_RESP_ERR_NO_ERROR) << with_write.errors.summary();
  revoke(write);
  revoke(describe);
}

// librdkafka 2.0.2 cannot send TRANSACTIONAL_ID ACLs, so this one goes through Kafka's own
// kafka-acls tool, as the admin.
void transactional_id_acl(const AclBinding& acl, klab::cluster::AclChange change) {
  auto rt = klab::cluster::KafkaRuntime::locate(klab::cluster::LabPaths::discover());
  auto admin_mtls = cluster().local().client_properties("admin", SecureListener::mtls);
  klab::cluster::run_acl_command(rt, admin_mtls.at("bootstrap.servers"),
                                 cluster().local().security().dir() / "admin-mtls.properties", acl,
                                 change);
  std::cout << (change == klab::cluster::AclChange::add ? "granted" : "revoked")
            << " with kafka-acls: " << klab::client::to_string(acl) << '\n';
}

TEST(P8Acl, ATransactionalProducerNeedsWriteOnItsTransactionalId) {
  KLAB_ROADMAP("8.2.2");
  KLAB_REQUIRE_LOCAL_CLUSTER();
  auto topic = unique_name("acl-txn");
  auto txn_id = unique_name("acl-txn-id");
  klab::testing::create_topic(topic, 1, 1);
  auto write = allow("alice", AclOperation::write, AclResourceType::topic, topic);
  grant(write);
  auto init = [&] {
    auto config = as("alice");
    config.set("transactional.id", txn_id);
    klab::client::Producer producer(config);
    return producer.init_transactions(scaled(20s));
  };
  auto refused = init();
  std::cout << "init_transactions without a transactional-id ACL: " << refused.to_string() << '\n';
  EXPECT_EQ(refused.code(), RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

  auto txn_write = allow("alice", AclOperation::write, AclResourceType::transactional_id, txn_id);
  transactional_id_acl(txn_write, klab::cluster::AclChange::add);
  // kafka-acls returns once the controller has it; the broker applies it moments later.
  klab::client::Admin admin(cluster().client_config());
  ASSERT_TRUE(klab::cluster::await_until(
      [&] {
        return !admin.describe_acls(klab::client::AclBindingFilter::exactly(txn_write), scaled(10s))
                    .empty();
      },
      scaled(30s)));
  {
    auto config = as("alice");
    config.set("transactional.id", txn_id);
    klab::client::Producer producer(config);
    ASSERT_FALSE(producer.init_transactions(scaled(30s)));
    ASSERT_FALSE(producer.begin_transaction());
    for (int i = 0; i < records; ++i)
      ASSERT_FALSE(producer.send({.topic = topic, .value = "txn-" + std::to_string(i)}));
    EXPECT_FALSE(producer.commit_transaction(scaled(30s)));
  }
  // The coordinator writes the commit marker after the records, moments after the commit.
  EXPECT_TRUE(klab::cluster::await_until(
      [&] { return klab::lessons::records_on(topic) == records + 1; }, scaled(30s)));
  auto committed = cluster().client_config();
  committed.isolation_level(klab::client::IsolationLevel::read_committed);
  EXPECT_EQ(klab::client::read_to_end(committed, topic, [](const auto&) {}).records,
            static_cast<std::size_t>(records));
  transactional_id_acl(txn_write, klab::cluster::AclChange::remove);
  revoke(write);
}

}  // namespace p8_acl
