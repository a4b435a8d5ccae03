#pragma once
// What the security lessons share: the lesson-only PLAIN user and helpers that record what a
// client was told (error callbacks) and what reached a topic.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "klab/client/config.hpp"
#include "klab/client/error.hpp"

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

/// High watermarks of partitions 0..partitions-1 summed, read as the cluster's admin.
std::int64_t records_on(const std::string& topic, int partitions = 1);

}  // namespace klab::lessons
