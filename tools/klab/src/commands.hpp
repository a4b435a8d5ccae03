#pragma once
// Each command group registers its subcommands on the CLI11 app.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "klab/client/config.hpp"
#include "klab/client/producer.hpp"

namespace klab::cli {

void add_cluster_commands(CLI::App& app);  // up, down, status, reset
void add_topic_commands(CLI::App& app);    // topics list|create|describe|delete|plan|apply
void add_produce_command(CLI::App& app);
void add_consume_command(CLI::App& app);
void add_group_commands(CLI::App& app);  // groups list|describe|reset-offsets
void add_progress_command(CLI::App& app);
void add_perf_commands(CLI::App& app);  // perf produce|consume|e2e
void add_perf_consume_command(CLI::App& perf);
void add_perf_e2e_command(CLI::App& perf);
void add_console_command(CLI::App& app);
void add_security_commands(CLI::App& app);  // acls list|create|delete, users list|add|delete
void add_doctor_command(CLI::App& app);     // doctor (8.3.4)
void add_upgrade_command(CLI::App& app);    // upgrade [--rollback|--finalize] (8.1.3)
void add_drill_commands(CLI::App& app);     // drill list|start|check|scale|config|stop (7.3)
void add_app_commands(CLI::App& app);       // app list|run (the practice systems)

/// The producer settings `produce` and `perf produce` share, as typed on the command line.
struct ProducerTuning {
  std::string acks = "all";
  std::string compression;  // "" leaves librdkafka's default (none)
  std::optional<std::int64_t> linger_ms;
  std::optional<std::int64_t> batch_size;
  bool idempotent = false;
  std::string partitioner = std::string(klab::client::default_partitioner);
};

/// Registers --acks, --compression, --linger-ms, --batch-size, --idempotent and --partitioner on
/// `command`.
void add_producer_tuning_options(CLI::App& command, ProducerTuning& tuning);

/// The tuning as a Config to merge over the cluster's client config. Checked without touching
/// the cluster, so a bad flag fails before any connection.
/// Errors: CommandError (exit code 2) naming the flag: an unknown --acks or --compression
/// value, --idempotent with --acks other than all, a value librdkafka rejects.
klab::client::Config producer_tuning_config(const ProducerTuning& tuning);

/// Registers a duration option ("500ms", "5s", "2m"; a bare number is milliseconds) stored as
/// milliseconds in `ms`, at least `min_ms`. CLI11 rejects anything else with exit code 2.
CLI::Option* add_duration_option(CLI::App& command, const std::string& name, std::int64_t& ms,
                                 const std::string& help, std::int64_t min_ms = 0);

}  // namespace klab::cli
