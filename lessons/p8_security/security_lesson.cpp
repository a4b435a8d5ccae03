#include "security_lesson.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "klab/client/admin.hpp"
#include "klab/client/producer.hpp"
#include "klab/cluster/await.hpp"
#include "klab/testing/test_cluster.hpp"

namespace klab::lessons {
using namespace std::chrono_literals;

klab::client::Config& ClientErrors::attach(klab::client::Config& config) {
  auto state = state_;
  return config.error_handler([state](const klab::Error& e) {
    std::lock_guard lock(state->mu);
    state->errors.push_back(e);
  });
}

std::vector<klab::Error> ClientErrors::all() const {
  std::lock_guard lock(state_->mu);
  return state_->errors;
}

bool ClientErrors::saw(rd_kafka_resp_err_t code, const std::string& text) const {
  for (const auto& e : all())
    if (e.code() == code && e.to_string().find(text) != std::string::npos) return true;
  return false;
}

bool ClientErrors::await(rd_kafka_resp_err_t code, const std::string& text) const {
  return klab::cluster::await_until([&] { return saw(code, text); }, klab::cluster::scaled(30s));
}

std::string ClientErrors::summary() const {
  std::string out;
  for (const auto& e : all()) out += e.to_string() + "\n";
  return out.empty() ? "(no client errors)" : out;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::trunc) << text;
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

Delivery produce_records(klab::client::Config config, const std::string& topic, int count) {
  config.set("message.timeout.ms", "5000");
  klab::testing::DeliveryLedger ledger(topic);
  {
    klab::client::Producer producer(config);
    for (int i = 0; i < count; ++i) ledger.send(producer, "key-" + std::to_string(i % 4));
    producer.flush(klab::cluster::scaled(30s));
  }
  auto report =
      ledger.reconcile(klab::testing::cluster().client_config(), klab::cluster::scaled(30s));
  std::cout << "ledger for " << topic << ":\n" << report.table() << '\n';
  return {report, ledger.errors()};
}

void expect_all_delivered(const Delivery& d, int count) {
  EXPECT_TRUE(d.errors.empty()) << d.report.table();
  EXPECT_EQ(d.report.acknowledged, static_cast<std::size_t>(count));
  EXPECT_EQ(d.report.consumed_unique, static_cast<std::size_t>(count));
  EXPECT_EQ(d.report.lost, 0u);
}

void expect_none_delivered(const Delivery& d) {
  EXPECT_EQ(d.report.acknowledged, 0u) << d.report.table();
  EXPECT_EQ(d.report.consumed_unique, 0u) << "a refused client's record reached the topic";
}

namespace {
bool listed(klab::client::Admin& admin, const klab::client::AclBinding& acl) {
  return !admin
              .describe_acls(klab::client::AclBindingFilter::exactly(acl),
                             klab::cluster::scaled(10s))
              .empty();
}
}  // namespace

void grant(const klab::client::AclBinding& acl) {
  klab::client::Admin admin(klab::testing::cluster().client_config());
  admin.create_acl(acl, klab::cluster::scaled(10s));
  if (!klab::cluster::await_until([&] { return listed(admin, acl); }, klab::cluster::scaled(30s)))
    throw std::runtime_error("the authorizer never listed " + klab::client::to_string(acl));
  std::cout << "granted: " << klab::client::to_string(acl) << '\n';
}

void revoke(const klab::client::AclBinding& acl) {
  klab::client::Admin admin(klab::testing::cluster().client_config());
  auto deleted =
      admin.delete_acls(klab::client::AclBindingFilter::exactly(acl), klab::cluster::scaled(10s));
  if (deleted.empty())
    throw std::runtime_error("no ACL matched, nothing revoked: " + klab::client::to_string(acl));
  if (!klab::cluster::await_until([&] { return !listed(admin, acl); }, klab::cluster::scaled(30s)))
    throw std::runtime_error("the authorizer still lists " + klab::client::to_string(acl));
  std::cout << "revoked: " << klab::client::to_string(acl) << '\n';
}

std::int64_t records_on(const std::string& topic, int partitions) {
  klab::client::Admin admin(klab::testing::cluster().client_config());
  std::int64_t total = 0;
  for (int p = 0; p < partitions; ++p)
    total += admin.watermark_offsets(topic, p, klab::cluster::scaled(10s)).high;
  return total;
}

}  // namespace klab::lessons
