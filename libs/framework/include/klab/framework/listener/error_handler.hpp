#pragma once
// What the container does when the listener throws: Spring's DefaultErrorHandler (retry with a
// back-off, then recover) as one value type.
#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "klab/client/record.hpp"
#include "klab/framework/listener/back_off.hpp"

namespace klab::framework {

/// Called with a record whose retries are used up (or whose error is not retryable). Returning
/// means recovered: the container commits past the record and moves on. Throwing means recovery
/// failed: the offset is NOT committed and the record is delivered again (with a fresh round of
/// retries). Runs on the consumer's thread; with concurrency > 1 on several threads at once.
using Recoverer = std::function<void(const client::Record&, const std::exception_ptr&)>;

/// true when the exception should skip the retries and go straight to the recoverer.
using ErrorClassifier = std::function<bool(const std::exception_ptr&)>;

/// An ErrorClassifier that is true for exceptions of type E (or derived from it), false for
/// anything else and for a null exception_ptr. Errors: none.
template <typename E>
ErrorClassifier exception_of_type() {
  return [](const std::exception_ptr& error) {
    if (!error) return false;
    try {
      std::rethrow_exception(error);
    } catch (const E&) {
      return true;
    } catch (...) {
      return false;
    }
  };
}

/// Thrown by a listener for a record that must not be handled before `due` (a retry topic's
/// record whose back-off has not passed). Not a failure: DefaultErrorHandler pauses the
/// partition until `due` and delivers the record again, never recovers it and never lets it
/// use up the back-off's attempts (Spring's KafkaBackoffException).
class KafkaBackoffException : public std::runtime_error {
 public:
  KafkaBackoffException(std::chrono::system_clock::time_point due, const std::string& what)
      : std::runtime_error(what), due_(due) {}
  /// When the record may be handled. Errors: none.
  std::chrono::system_clock::time_point due() const noexcept { return due_; }

 private:
  std::chrono::system_clock::time_point due_;
};

/// The exception's dynamic type name (demangled) and its what() ("" when it has none), for
/// headers and logs. Errors: none.
std::pair<std::string, std::string> exception_type_and_message(const std::exception_ptr& error);

/// Retries a failing record by seeking its partition back to it (so nothing after it is
/// processed first), up to the back-off's attempts, then hands it to the recoverer and moves
/// on. The wait between attempts pauses only that partition; the consumer keeps polling, so it
/// stays in the group however long the back-off is.
class DefaultErrorHandler {
 public:
  /// FixedBackOff{0ms, 9} (10 deliveries) and a recoverer that logs the record to stderr.
  DefaultErrorHandler() : DefaultErrorHandler(BackOff{}) {}
  /// An empty `recoverer` logs the record to stderr and skips it (Spring's default).
  explicit DefaultErrorHandler(BackOff back_off, Recoverer recoverer = {});

  /// Errors matching `classifier` go to the recoverer on their first failure. Errors: none.
  DefaultErrorHandler& add_not_retryable(ErrorClassifier classifier);
  /// The same for exceptions of type E (or derived from it). Errors: none.
  template <typename E>
  DefaultErrorHandler& add_not_retryable() {
    return add_not_retryable(exception_of_type<E>());
  }

  /// After the `failures`-th failure of one record with `error`: the wait before delivering it
  /// again, or nullopt to recover it now. A KafkaBackoffException gives the time left until
  /// its due time (at least 1 ms), whatever `failures` and the classifiers say.
  /// Errors: whatever a classifier or the back-off throws.
  std::optional<std::chrono::milliseconds> retry_delay(const std::exception_ptr& error,
                                                       int failures) const;

  /// Runs the recoverer. Errors: whatever the recoverer throws (recovery failed).
  void recover(const client::Record& record, const std::exception_ptr& error) const;

 private:
  BackOff back_off_;
  Recoverer recoverer_;
  std::vector<ErrorClassifier> not_retryable_;
};

}  // namespace klab::framework
