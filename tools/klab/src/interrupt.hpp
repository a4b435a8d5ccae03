#pragma once
// Ctrl-C and SIGTERM for commands that run until stopped (consume, console).

namespace klab::cli {

/// From now on SIGINT and SIGTERM set interrupted() instead of killing the process.
void catch_interrupts();
/// True once SIGINT or SIGTERM arrived after catch_interrupts().
bool interrupted();

}  // namespace klab::cli
