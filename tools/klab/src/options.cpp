// Options several commands share: producer tuning and durations.
#include <fmt/core.h>

#include <cctype>
#include <limits>
#include <map>

#include "commands.hpp"
#include "context.hpp"

namespace klab::cli {
namespace {
using klab::client::CompressionType;

std::optional<CompressionType> compression_of(std::string_view name) {
  if (name == "none") return CompressionType::none;
  if (name == "gzip") return CompressionType::gzip;
  if (name == "snappy") return CompressionType::snappy;
  if (name == "lz4") return CompressionType::lz4;
  if (name == "zstd") return CompressionType::zstd;
  return std::nullopt;
}

// Runs one typed setter; librdkafka's complaint comes back naming the flag, not the key.
template <typename F>
void set_flag(std::string_view flag, const std::string& value, F&& setter) {
  try {
    setter();
  } catch (const klab::KafkaException& e) {
    std::string why = e.error().message();
    // librdkafka's complaints end in a newline; the error must stay one line.
    while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
    throw CommandError(fmt::format("{} {}: {}", flag, value, why), 2);
  }
}

}  // namespace

void add_producer_tuning_options(CLI::App& c, ProducerTuning& t) {
  c.add_option("--acks", t.acks,
               "replicas that must have a record before it is acknowledged: 0, 1 or all")
      ->capture_default_str();
  c.add_option("--compression", t.compression,
               "compress record batches: none, gzip, snappy, lz4 or zstd (default none)");
  c.add_option("--linger-ms", t.linger_ms,
               "wait up to this long to fill a batch (librdkafka default 5)");
  c.add_option("--batch-size", t.batch_size,
               "largest record batch in bytes (librdkafka default 1000000)");
  c.add_flag("--idempotent", t.idempotent,
             "enable.idempotence=true: retries never duplicate or reorder (needs --acks all)");
  c.add_option("--partitioner", t.partitioner,
               "key -> partition: murmur2_random (the lab's default: where Java's producer puts "
               "a key), consistent_random (librdkafka's own default, CRC32), random, fnv1a_random "
               "...")
      ->check(CLI::IsMember({"murmur2_random", "murmur2", "consistent_random", "consistent",
                             "random", "fnv1a", "fnv1a_random"}))
      ->capture_default_str();
}

klab::client::Config producer_tuning_config(const ProducerTuning& t) {
  klab::client::Config config;
  if (t.acks != "0" && t.acks != "1" && t.acks != "all" && t.acks != "-1")
    throw CommandError(fmt::format("--acks must be 0, 1 or all, not '{}'", t.acks), 2);
  if (t.idempotent && t.acks != "all" && t.acks != "-1")
    throw CommandError(
        fmt::format("--idempotent needs --acks all (an idempotent producer waits for every "
                    "in-sync replica), not --acks {}: drop one of the two flags",
                    t.acks),
        2);
  set_flag("--acks", t.acks, [&] { config.acks(t.acks); });
  if (!t.compression.empty()) {
    auto type = compression_of(t.compression);
    if (!type)
      throw CommandError(fmt::format("--compression must be none, gzip, snappy, lz4 or zstd, "
                                     "not '{}'",
                                     t.compression),
                         2);
    set_flag("--compression", t.compression, [&] { config.compression_type(*type); });
  }
  if (t.linger_ms)
    set_flag("--linger-ms", std::to_string(*t.linger_ms), [&] { config.linger_ms(*t.linger_ms); });
  if (t.batch_size)
    set_flag("--batch-size", std::to_string(*t.batch_size),
             [&] { config.batch_size(*t.batch_size); });
  if (t.idempotent) config.enable_idempotence(true);
  config.set(klab::client::keys::partitioner, t.partitioner);
  return config;
}

CLI::Option* add_duration_option(CLI::App& command, const std::string& name, std::int64_t& ms,
                                 const std::string& help, std::int64_t min_ms) {
  static const std::map<std::string, std::int64_t> units{
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}};
  return command.add_option(name, ms, help + " (ms, s, m or h; a bare number is ms)")
      ->transform(CLI::AsNumberWithUnit(units, CLI::AsNumberWithUnit::CASE_SENSITIVE, "DURATION"))
      ->check(CLI::Range(min_ms, std::numeric_limits<std::int64_t>::max()));
}

}  // namespace klab::cli
