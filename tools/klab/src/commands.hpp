#pragma once
// Each command group registers its subcommands on the CLI11 app.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/config.hpp"

namespace klab::cli {

void add_cluster_commands(CLI::App& app);  // up, down, status, reset
void add_topic_commands(CLI::App& app);    // topics list|create|describe|delete
void add_produce_command(CLI::App& app);
void add_consume_command(CLI::App& app);
void add_group_commands(CLI::App& app);  // groups list|describe|reset-offsets
void add_progress_command(CLI::App& app);
void add_perf_commands(CLI::App& app);  // perf produce
void add_console_command(CLI::App& app);

/// The producer settings `produce` and `perf produce` share, as typed on the command line.
struct ProducerTuning {
  std::string acks = "all";
  std::string compression;  // "" leaves librdkafka's default (none)
  std::optional<std::int64_t> linger_ms;
  std::optional<std::int64_t> batch_size;
  bool idempotent = false;
};

/// Registers --acks, --compression, --linger-ms, --batch-size and --idempotent on `command`.
void add_producer_tuning_options(CLI::App& command, ProducerTuning& tuning);

/// The tuning as a Config to merge over the cluster's client config. Checked without touching
/// the cluster, so a bad flag fails before any connection.
/// Errors: CommandError (exit code 2) naming the flag: an unknown --acks or --compression
/// value, --idempotent with --acks other than all, a value librdkafka rejects.
klab::client::Config producer_tuning_config(const ProducerTuning& tuning);

/// A point in time typed on the command line, as ms since the epoch: either that number, or an
/// ISO 8601 date and time with a zone (2026-11-24T10:00:00Z, 2026-11-24T19:00:00.250+09:00).
/// Errors: CommandError (exit code 2) naming `flag` and the accepted forms.
std::int64_t parse_timestamp_ms(std::string_view flag, const std::string& text);

}  // namespace klab::cli
