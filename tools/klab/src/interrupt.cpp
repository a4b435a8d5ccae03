#include "interrupt.hpp"

#include <atomic>
#include <csignal>

namespace klab::cli {
namespace {

// Lock-free, so the signal handler may set it.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

}  // namespace

void catch_interrupts() {
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });
}

bool interrupted() { return stop_requested; }

}  // namespace klab::cli
