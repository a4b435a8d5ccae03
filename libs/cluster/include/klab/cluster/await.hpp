#pragma once
// Waiting on conditions instead of fixed sleeps; one multiplier stretches every deadline on a
// slow machine (KLAB_TIMEOUT_MULTIPLIER, default 1).
#include <chrono>
#include <functional>

namespace klab::cluster {

/// The factor from KLAB_TIMEOUT_MULTIPLIER (values <= 0 or unparsable count as 1).
double timeout_multiplier();

/// `base` times the multiplier.
std::chrono::milliseconds scaled(std::chrono::milliseconds base);

/// Calls `condition` every `interval` until it returns true (-> true) or `timeout` (already
/// scaled by the caller if wanted) passes (-> false).
bool await_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                 std::chrono::milliseconds interval = std::chrono::milliseconds(100));

}  // namespace klab::cluster
