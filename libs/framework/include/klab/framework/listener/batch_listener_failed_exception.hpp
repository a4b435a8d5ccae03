#pragma once
// Spring's BatchListenerFailedException: a batch listener saying WHICH record of the batch
// failed, so the container can commit the ones before it and retry / recover just that one.
#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>

namespace klab::framework {

/// Thrown by a BatchListener: records [0, index) of the batch were processed, records[index]
/// failed, the rest were not looked at. `cause` (optional) is the real failure; the error
/// handler's classifiers and the recoverer (e.g. the DLT's exception headers) see the cause
/// when it is set, this exception otherwise.
class BatchListenerFailedException : public std::runtime_error {
 public:
  BatchListenerFailedException(std::size_t index, const std::string& message,
                               std::exception_ptr cause = nullptr)
      : std::runtime_error(message), index_(index), cause_(std::move(cause)) {}

  /// Position of the failing record in BatchListenerContext::records. Errors: none.
  std::size_t index() const noexcept { return index_; }
  /// The underlying failure, or nullptr. Errors: none.
  const std::exception_ptr& cause() const noexcept { return cause_; }

 private:
  std::size_t index_;
  std::exception_ptr cause_;
};

}  // namespace klab::framework
