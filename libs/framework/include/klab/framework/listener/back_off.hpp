#pragma once
// How long to wait before redelivering a failed record, and when to give up: Spring's
// FixedBackOff and ExponentialBackOff, and BackOff, which holds either (or any policy with the
// same next_delay()).
#include <chrono>
#include <concepts>
#include <functional>
#include <optional>

namespace klab::framework {

/// The same wait before every retry, at most `max_attempts` retries (so up to max_attempts + 1
/// deliveries). Spring's DefaultErrorHandler default is FixedBackOff{0ms, 9}.
struct FixedBackOff {
  std::chrono::milliseconds interval{0};
  int max_attempts = 9;

  /// The wait before retry number `attempt` (1 = the first retry, after the first failure), or
  /// nullopt when the attempts are used up. Errors: none.
  std::optional<std::chrono::milliseconds> next_delay(int attempt) const;
};

/// Waits that grow by `multiplier` from `initial` up to `max_interval` each, until the sum of
/// the waits would pass `max_elapsed`. Defaults are Spring's (2 s, x1.5, 30 s) except
/// max_elapsed: Spring waits forever, here it is 15 minutes so a poison record ends somewhere.
struct ExponentialBackOff {
  std::chrono::milliseconds initial{2000};
  double multiplier = 1.5;
  std::chrono::milliseconds max_interval{30'000};
  std::chrono::milliseconds max_elapsed{15 * 60 * 1000};

  /// The wait before retry number `attempt` (1-based), or nullopt when that wait would bring
  /// the total waited past max_elapsed (never waits longer in sum). Errors: none.
  std::optional<std::chrono::milliseconds> next_delay(int attempt) const;
};

/// Any back-off policy: a type with `std::optional<milliseconds> next_delay(int) const`.
template <typename T>
concept BackOffPolicy = requires(const T& policy, int attempt) {
  { policy.next_delay(attempt) } -> std::same_as<std::optional<std::chrono::milliseconds>>;
};

/// A copyable holder of one back-off policy. Default: FixedBackOff{}.
class BackOff {
 public:
  BackOff() : BackOff(FixedBackOff{}) {}
  template <BackOffPolicy Policy>
  BackOff(Policy policy)  // NOLINT(google-explicit-constructor): a policy is a BackOff
      : next_delay_(
            [policy = std::move(policy)](int attempt) { return policy.next_delay(attempt); }) {}

  /// The held policy's next_delay(). Errors: whatever the policy throws (the built-in ones:
  /// none).
  std::optional<std::chrono::milliseconds> next_delay(int attempt) const {
    return next_delay_(attempt);
  }

 private:
  std::function<std::optional<std::chrono::milliseconds>(int)> next_delay_;
};

}  // namespace klab::framework
