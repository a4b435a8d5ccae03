#include "klab/client/config.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

namespace klab::client {
namespace {

constexpr std::string_view redacted_value = "[redacted]";

std::string_view trim(std::string_view s) {
  auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string shown_value(std::string_view key, std::string_view value) {
  return is_secret_key(key) ? std::string(redacted_value) : std::string(value);
}

}  // namespace

bool is_secret_key(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos;
}

Config::Config() : conf_(rd_kafka_conf_new()) {}
Config::~Config() = default;

Config::Config(const Config& other)
    : conf_(rd_kafka_conf_dup(other.conf_.get())),
      values_(other.values_),
      statistics_handler_(other.statistics_handler_),
      error_handler_(other.error_handler_),
      certificate_verifier_(other.certificate_verifier_),
      partitioner_(other.partitioner_),
      rebalance_listener_(other.rebalance_listener_) {}

Config& Config::operator=(const Config& other) {
  if (this != &other) {
    Config copy(other);
    *this = std::move(copy);
  }
  return *this;
}

// A moved-from Config gets a fresh conf so it stays usable (set() after a move must not crash).
Config::Config(Config&& other) noexcept
    : conf_(std::exchange(other.conf_, detail::ConfPtr(rd_kafka_conf_new()))),
      values_(std::move(other.values_)),
      statistics_handler_(std::move(other.statistics_handler_)),
      error_handler_(std::move(other.error_handler_)),
      certificate_verifier_(std::move(other.certificate_verifier_)),
      partitioner_(std::move(other.partitioner_)),
      rebalance_listener_(std::move(other.rebalance_listener_)) {
  other.values_.clear();
}

Config& Config::operator=(Config&& other) noexcept {
  if (this != &other) {
    conf_ = std::exchange(other.conf_, detail::ConfPtr(rd_kafka_conf_new()));
    values_ = std::move(other.values_);
    other.values_.clear();
    statistics_handler_ = std::move(other.statistics_handler_);
    error_handler_ = std::move(other.error_handler_);
    certificate_verifier_ = std::move(other.certificate_verifier_);
    partitioner_ = std::move(other.partitioner_);
    rebalance_listener_ = std::move(other.rebalance_listener_);
  }
  return *this;
}

Config& Config::set(std::string_view key, std::string_view value) {
  std::string k(key), v(value);
  char err[512] = "";
  auto res = rd_kafka_conf_set(conf_.get(), k.c_str(), v.c_str(), err, sizeof err);
  if (res != RD_KAFKA_CONF_OK) {
    std::string what = res == RD_KAFKA_CONF_UNKNOWN ? "unknown configuration property '"
                                                    : "invalid value for configuration property '";
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               what + k + "' (value '" + shown_value(k, v) + "'): " + err));
  }
  values_[std::move(k)] = std::move(v);
  return *this;
}

std::optional<std::string> Config::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Config::effective(std::string_view key) const {
  std::string k(key);
  size_t size = 0;
  if (rd_kafka_conf_get(conf_.get(), k.c_str(), nullptr, &size) != RD_KAFKA_CONF_OK)
    return std::nullopt;
  std::string out(size, '\0');
  if (rd_kafka_conf_get(conf_.get(), k.c_str(), out.data(), &size) != RD_KAFKA_CONF_OK)
    return std::nullopt;
  out.resize(size > 0 ? size - 1 : 0);  // size counts the terminating NUL
  return out;
}

Config& Config::merge(const Config& other) {
  for (const auto& [k, v] : other.values_) set(k, v);
  if (other.statistics_handler_) statistics_handler_ = other.statistics_handler_;
  if (other.error_handler_) error_handler_ = other.error_handler_;
  if (other.certificate_verifier_) certificate_verifier_ = other.certificate_verifier_;
  // Carried like the handlers; other's sticky.partitioning.linger.ms=0 came with its values.
  if (other.partitioner_) partitioner_ = other.partitioner_;
  if (other.rebalance_listener_) rebalance_listener_ = other.rebalance_listener_;
  return *this;
}

std::map<std::string, std::string, std::less<>> Config::redacted() const {
  auto out = values_;
  for (auto& [k, v] : out)
    if (is_secret_key(k)) v = redacted_value;
  return out;
}

std::string Config::to_string() const {
  std::string out;
  for (const auto& [k, v] : redacted()) out += k + "=" + v + "\n";
  return out;
}

Config Config::from_properties(std::string_view text, std::string_view source) {
  Config c;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    auto where = std::string(source) + ":" + std::to_string(number);
    auto s = trim(line);
    if (s.empty() || s.front() == '#' || s.front() == '!') continue;
    // Java properties allow '=' or ':'; whichever comes first separates (values may hold ':').
    auto sep = s.find_first_of("=:");
    if (sep == std::string_view::npos || trim(s.substr(0, sep)).empty())
      throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                                 where + ": expected key=value, got '" + std::string(s) + "'"));
    auto key = trim(s.substr(0, sep));
    auto value = trim(s.substr(sep + 1));
    try {
      c.set(key, value);
    } catch (const KafkaException& e) {
      throw KafkaException(Error(e.error().code(), where + ": " + e.error().message()));
    }
  }
  return c;
}

Config Config::from_properties_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw KafkaException(Error(
        RD_KAFKA_RESP_ERR__FS,
        "cannot read the client properties file " + path.string() + ": missing or not readable"));
  std::stringstream text;
  text << in.rdbuf();
  return from_properties(text.str(), path.string());
}

Config& Config::bootstrap_servers(std::string_view servers) {
  return set(keys::bootstrap_servers, servers);
}
Config& Config::client_id(std::string_view id) { return set(keys::client_id, id); }
Config& Config::group_id(std::string_view id) { return set(keys::group_id, id); }

Config& Config::acks(Acks acks) {
  switch (acks) {
    case Acks::none:
      return set(keys::acks, "0");
    case Acks::leader:
      return set(keys::acks, "1");
    case Acks::all:
      break;
  }
  return set(keys::acks, "all");
}
Config& Config::acks(std::string_view acks) { return set(keys::acks, acks); }

Config& Config::enable_idempotence(bool enable) {
  return set(keys::enable_idempotence, enable ? "true" : "false");
}
Config& Config::linger_ms(std::int64_t ms) { return set(keys::linger_ms, std::to_string(ms)); }
Config& Config::batch_size(std::int64_t bytes) {
  return set(keys::batch_size, std::to_string(bytes));
}

Config& Config::compression_type(CompressionType type) {
  std::string_view v = "none";
  switch (type) {
    case CompressionType::none:
      v = "none";
      break;
    case CompressionType::gzip:
      v = "gzip";
      break;
    case CompressionType::snappy:
      v = "snappy";
      break;
    case CompressionType::lz4:
      v = "lz4";
      break;
    case CompressionType::zstd:
      v = "zstd";
      break;
  }
  return set(keys::compression_type, v);
}

Config& Config::auto_offset_reset(OffsetReset reset) {
  std::string_view v = "latest";
  switch (reset) {
    case OffsetReset::earliest:
      v = "earliest";
      break;
    case OffsetReset::latest:
      v = "latest";
      break;
    case OffsetReset::none:
      v = "error";
      break;  // librdkafka's word for Java's "none"
  }
  return set(keys::auto_offset_reset, v);
}

Config& Config::enable_auto_commit(bool enable) {
  return set(keys::enable_auto_commit, enable ? "true" : "false");
}
Config& Config::enable_partition_eof(bool enable) {
  return set(keys::enable_partition_eof, enable ? "true" : "false");
}

Config& Config::isolation_level(IsolationLevel level) {
  return set(keys::isolation_level,
             level == IsolationLevel::read_committed ? "read_committed" : "read_uncommitted");
}

Config& Config::statistics_interval_ms(std::int64_t ms) {
  return set(keys::statistics_interval_ms, std::to_string(ms));
}
Config& Config::message_timeout_ms(std::int64_t ms) {
  return set(keys::message_timeout_ms, std::to_string(ms));
}
Config& Config::delivery_timeout_ms(std::int64_t ms) { return message_timeout_ms(ms); }
Config& Config::transactional_id(std::string_view id) { return set(keys::transactional_id, id); }
Config& Config::session_timeout_ms(std::int64_t ms) {
  return set(keys::session_timeout_ms, std::to_string(ms));
}
Config& Config::heartbeat_interval_ms(std::int64_t ms) {
  return set(keys::heartbeat_interval_ms, std::to_string(ms));
}
Config& Config::max_poll_interval_ms(std::int64_t ms) {
  return set(keys::max_poll_interval_ms, std::to_string(ms));
}
Config& Config::partition_assignment_strategy(std::string_view strategies) {
  return set(keys::partition_assignment_strategy, strategies);
}
Config& Config::group_instance_id(std::string_view id) { return set(keys::group_instance_id, id); }
Config& Config::fetch_min_bytes(std::int64_t bytes) {
  return set(keys::fetch_min_bytes, std::to_string(bytes));
}
Config& Config::fetch_wait_max_ms(std::int64_t ms) {
  return set(keys::fetch_wait_max_ms, std::to_string(ms));
}
Config& Config::debug(std::string_view contexts) { return set(keys::debug, contexts); }
Config& Config::log_level(int level) { return set(keys::log_level, std::to_string(level)); }

Config& Config::statistics_handler(StatisticsHandler handler) {
  statistics_handler_ = std::move(handler);
  return *this;
}

Config& Config::error_handler(ErrorHandler handler) {
  error_handler_ = std::move(handler);
  return *this;
}

Config& Config::certificate_verifier(CertificateVerifier verifier) {
  certificate_verifier_ = std::move(verifier);
  return *this;
}

Config& Config::rebalance_listener(RebalanceListener listener) {
  rebalance_listener_ = std::move(listener);
  return *this;
}

Config& Config::partitioner(Partitioner partitioner) {
  // librdkafka only consults partitioner_cb for null keys when sticky partitioning is off.
  if (partitioner) set(keys::sticky_partitioning_linger_ms, "0");
  partitioner_ = std::move(partitioner);
  return *this;
}

detail::ConfPtr Config::native_copy() const {
  return detail::ConfPtr(rd_kafka_conf_dup(conf_.get()));
}

}  // namespace klab::client
