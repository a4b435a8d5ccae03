#pragma once
// What the security lessons share: the lesson-only PLAIN user and helpers that record what a
// client was told (error callbacks) and what reached a topic.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "klab/client/acl.hpp"
#include "klab/client/config.hpp"
#include "klab/client/error.hpp"
#include "klab/testing/delivery_ledger.hpp"

namespace klab::lessons {

/// Accepted only by PLAIN on the SASL_PLAINTEXT listener of the lesson cluster (00_cluster.cpp).
inline constexpr const char* plain_user = "carol";
inline constexpr const char* plain_password = "carol-plain-secret";

/// Collects every error a client reports through its error callback.
class ClientErrors {
 public:
  /// Installs the callback on `config` (copies share the list).
  klab::client::Config& attach(klab::client::Config& config);
  std::vector<klab::Error> all() const;
  /// True when some error has `code`; `text` (if given) must appear in its message.
  bool saw(rd_kafka_resp_err_t code, const std::string& text = "") const;
  /// Waits (scaled) until saw(code, text) or the timeout.
  bool await(rd_kafka_resp_err_t code, const std::string& text = "") const;
  std::string summary() const;  ///< one line per error, for failure messages

 private:
  struct State {
    mutable std::mutex mu;
    std::vector<klab::Error> errors;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

std::string read_text(const std::filesystem::path& file);
/// Writes `text` with mode 0600 (it may hold a password).
void write_text(const std::filesystem::path& file, const std::string& text);

/// What a producer run left behind: the ledger (reconciled against the topic as the admin) and
/// each delivery error code with its count.
struct Delivery {
  klab::testing::LedgerReport report;
  std::map<rd_kafka_resp_err_t, std::size_t> errors;
  bool refused_with(rd_kafka_resp_err_t code) const { return errors.contains(code); }
};
/// Sends `count` records through a DeliveryLedger with `config` (message.timeout.ms 5 s, so a
/// refused record fails fast), waits for every report, prints and returns the ledger.
Delivery produce_records(klab::client::Config config, const std::string& topic, int count = 20);

/// Asserts that all `count` records were acknowledged and read back: no error, none lost.
void expect_all_delivered(const Delivery& d, int count);
/// Asserts that nothing was acknowledged and none of this run's records is on the topic.
void expect_none_delivered(const Delivery& d);

/// Adds `acl` as the admin and waits until the broker's authorizer lists it (ACLs travel
/// through the metadata log; DescribeAcls answers from the same authorizer that decides).
void grant(const klab::client::AclBinding& acl);
/// Deletes exactly `acl` and waits until the authorizer no longer lists it.
void revoke(const klab::client::AclBinding& acl);

/// High watermarks of partitions 0..partitions-1 summed, read as the cluster's admin.
std::int64_t records_on(const std::string& topic, int partitions = 1);

}  // namespace klab::lessons
