#pragma once
// Each command group registers its subcommands on the CLI11 app.
#include <CLI/CLI.hpp>

namespace klab::cli {

void add_cluster_commands(CLI::App& app);  // up, down, status, reset
void add_topic_commands(CLI::App& app);    // topics list|create|describe|delete
void add_produce_command(CLI::App& app);
void add_consume_command(CLI::App& app);
void add_group_commands(CLI::App& app);  // groups list|describe
void add_progress_command(CLI::App& app);

}  // namespace klab::cli
