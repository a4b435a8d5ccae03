#include "klab/cluster/await.hpp"

#include <cstdlib>
#include <string>
#include <thread>

namespace klab::cluster {

double timeout_multiplier() {
  const char* env = std::getenv("KLAB_TIMEOUT_MULTIPLIER");
  if (!env || !*env) return 1.0;
  try {
    double v = std::stod(env);
    return v > 0 ? v : 1.0;
  } catch (...) {
    return 1.0;
  }
}

std::chrono::milliseconds scaled(std::chrono::milliseconds base) {
  return std::chrono::milliseconds(static_cast<long long>(base.count() * timeout_multiplier()));
}

bool await_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                 std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace klab::cluster
