#include "klab/framework/listener/back_off.hpp"

#include <algorithm>

namespace klab::framework {

std::optional<std::chrono::milliseconds> FixedBackOff::next_delay(int attempt) const {
  if (attempt < 1 || attempt > max_attempts) return std::nullopt;
  return interval;
}

std::optional<std::chrono::milliseconds> ExponentialBackOff::next_delay(int attempt) const {
  if (attempt < 1) return std::nullopt;
  // Walk the waits from the first, so the max_elapsed check sees every wait before this one.
  double delay = static_cast<double>(initial.count());
  double elapsed = 0;
  const double cap = static_cast<double>(max_interval.count());
  for (int i = 1;; ++i) {
    const double this_delay = std::min(delay, cap);
    elapsed += this_delay;
    if (elapsed > static_cast<double>(max_elapsed.count())) return std::nullopt;
    if (i == attempt) return std::chrono::milliseconds(static_cast<std::int64_t>(this_delay));
    delay *= multiplier;
  }
}

}  // namespace klab::framework
