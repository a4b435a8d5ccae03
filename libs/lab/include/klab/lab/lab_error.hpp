#pragma once
// The one failure type of the lab's operations: what went wrong, said so a learner can fix it,
// and of which kind, so the CLI picks an exit code and the console an HTTP status.
#include <stdexcept>
#include <string>

namespace klab::lab {

class LabError : public std::runtime_error {
 public:
  enum class Kind {
    invalid_input,  ///< the request itself is wrong (CLI exit 2, HTTP 400)
    not_found,      ///< a named group, topic or file does not exist (exit 1, HTTP 404)
    conflict,       ///< the cluster's state forbids it now, e.g. a group with members (409)
    failed,         ///< the cluster or a process failed (exit 1, HTTP 502)
  };
  LabError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

}  // namespace klab::lab
