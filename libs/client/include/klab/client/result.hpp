#pragma once
// Result<T>: a value or the Error that prevented it. For outcomes a caller must handle per call
// (a record that does not serialize) rather than surprises worth an exception. g++ 12 has no
// std::expected, so this is a deliberately tiny stand-in.
#include <optional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "klab/client/error.hpp"

namespace klab::client {

/// Holds a T, or the Error that prevented one.
///
/// `if (result)` is true when it holds a value: the opposite of `if (error)`, on purpose, so
/// both read as "did it work / did it fail".
template <typename T>
class Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>,
                "Result<Error> cannot tell a value from an error: return Error instead");
  static_assert(!std::is_reference_v<T>, "Result holds values, not references");

 public:
  using value_type = T;

  // Implicit on purpose, so a function returning Result<T> can `return value;` or
  // `return error;` like it would with std::expected.

  /// A successful result. Errors: none (T's move aside).
  Result(T value) : value_(std::move(value)) {}
  /// A failed result. A no-error `error` has nothing to explain the missing value, so it is
  /// replaced by _INVALID_ARG saying so. Errors: none.
  Result(Error error)
      : error_(error ? std::move(error)
                     : Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                             "Result built from a success Error but no value")) {}

  /// Same as the constructors, for when the spelled-out intent reads better. Errors: none.
  static Result success(T value) { return Result(std::move(value)); }
  static Result failure(Error error) { return Result(std::move(error)); }

  bool ok() const noexcept { return value_.has_value(); }
  /// True when it holds a value.
  explicit operator bool() const noexcept { return ok(); }

  /// The value. Errors: KafkaException carrying error() when there is no value; `where` points
  /// the exception at the caller.
  T& value(std::source_location where = std::source_location::current()) & {
    check(where);
    return *value_;
  }
  const T& value(std::source_location where = std::source_location::current()) const& {
    check(where);
    return *value_;
  }
  T&& value(std::source_location where = std::source_location::current()) && {
    check(where);
    return std::move(*value_);
  }

  /// Why there is no value; a no-error Error when ok(). Errors: none.
  const Error& error() const noexcept { return error_; }

 private:
  void check(const std::source_location& where) const {
    if (!value_) throw KafkaException(error_, where);
  }

  std::optional<T> value_;
  Error error_;
};

}  // namespace klab::client
