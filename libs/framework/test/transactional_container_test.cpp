// TransactionalListenerContainer's construction checks (no network: clients are created only
// when the threads start).
#include <gtest/gtest.h>

#include <string>

#include "klab/client/error.hpp"
#include "klab/framework/transaction/transactional_listener_container.hpp"

namespace {
using klab::client::Config;
using klab::framework::TransactionalContainerProperties;
using klab::framework::TransactionalContext;
using klab::framework::TransactionalListenerContainer;

Config config() {
  Config c;
  c.bootstrap_servers("127.0.0.1:1").group_id("g");
  return c;
}

TransactionalContainerProperties valid() {
  return {.topics = {"in"}, .transactional_id_prefix = "tx"};
}

void noop(const TransactionalContext&) {}

// Constructs and returns the KafkaException's message ("" when nothing was thrown).
std::string refusal(Config consumer, TransactionalContainerProperties properties,
                    klab::framework::TransactionalListener listener = noop) {
  try {
    TransactionalListenerContainer container(std::move(consumer), config(), std::move(properties),
                                             std::move(listener));
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error(), RD_KAFKA_RESP_ERR__INVALID_ARG);
    return e.what();
  }
  return "";
}

TEST(TransactionalListenerContainer, ValidPropertiesConstructWithoutConnecting) {
  TransactionalListenerContainer container(config(), config(), valid(), noop);
  EXPECT_FALSE(container.running());
  EXPECT_EQ(container.committed_transactions(), 0u);
  EXPECT_TRUE(container.fatal_errors().empty());
}

TEST(TransactionalListenerContainer, RefusesMissingTopicsPrefixListenerOrGroup) {
  auto p = valid();
  p.topics.clear();
  EXPECT_NE(refusal(config(), p).find("topics"), std::string::npos);
  p = valid();
  p.transactional_id_prefix.clear();
  EXPECT_NE(refusal(config(), p).find("transactional_id_prefix"), std::string::npos);
  p = valid();
  p.concurrency = 0;
  EXPECT_NE(refusal(config(), p).find("concurrency"), std::string::npos);
  EXPECT_NE(refusal(config(), valid(), {}).find("listener"), std::string::npos);
  Config no_group;
  no_group.bootstrap_servers("127.0.0.1:1");
  EXPECT_NE(refusal(no_group, valid()).find("group.id"), std::string::npos);
}

TEST(TransactionalListenerContainer, RefusesReadUncommittedConsumers) {
  auto c = config();
  c.isolation_level(klab::client::IsolationLevel::read_uncommitted);
  EXPECT_NE(refusal(c, valid()).find("isolation.level=read_uncommitted"), std::string::npos);
}

}  // namespace
