// klab: the Kafka Lab command line. Thin: parses, calls the libraries, prints.
#include <fmt/core.h>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "klab/client/error.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/lab/lab_error.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "klab — Kafka Lab: a real Apache Kafka (KRaft) cluster on this machine, and tools to "
      "learn it.\nEvery command talks to $KLAB_BOOTSTRAP (+ $KLAB_CLIENT_PROPERTIES) when set, "
      "else to the lab's own cluster."};
  app.require_subcommand(1);
  app.fallthrough();
  klab::cli::add_cluster_commands(app);
  klab::cli::add_topic_commands(app);
  klab::cli::add_produce_command(app);
  klab::cli::add_consume_command(app);
  klab::cli::add_group_commands(app);
  klab::cli::add_progress_command(app);
  klab::cli::add_perf_commands(app);
  klab::cli::add_console_command(app);
  klab::cli::add_security_commands(app);
  klab::cli::add_drill_commands(app);
  klab::cli::add_app_commands(app);
  klab::cli::add_doctor_command(app);
  klab::cli::add_upgrade_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints what was wrong; its own codes (105 for a value out of range ...) become the
    // usage-error code every other bad input gets. --help stays 0.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const klab::cli::CommandError& e) {
    fmt::print(stderr, "klab: {}\n", e.what());
    return e.exit_code();
  } catch (const klab::lab::LabError& e) {
    fmt::print(stderr, "klab: {}\n", e.what());
    return e.kind() == klab::lab::LabError::Kind::invalid_input ? 2 : 1;
  } catch (const klab::cluster::ClusterError& e) {
    fmt::print(stderr, "klab: {}\n", e.what());
    if (!e.details().empty()) fmt::print(stderr, "{}", e.details());
    return 1;
  } catch (const klab::KafkaException& e) {
    // A refusal the command did not explain itself: still one line with the principal.
    if (klab::lab::is_access_refusal(e.error())) {
      try {
        klab::cli::throw_if_refused(klab::cli::make_context(), e.error(),
                                    {.resource_type = klab::client::AclResourceType::any});
      } catch (const klab::cli::CommandError& refusal) {
        fmt::print(stderr, "klab: {}\n", refusal.what());
        return 1;
      } catch (...) {
      }
    }
    fmt::print(stderr, "klab: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "klab: {}\n", e.what());
    return 1;
  }
  return 0;
}
