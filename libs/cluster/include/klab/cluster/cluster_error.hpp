#pragma once
#include <stdexcept>
#include <string>

namespace klab::cluster {

/// A failure of the lab's own cluster machinery. what() is one line that says what went
/// wrong and what to do about it; details() may carry more (e.g. the tail of a node's log).
class ClusterError : public std::runtime_error {
 public:
  explicit ClusterError(const std::string& what, std::string details = {})
      : std::runtime_error(what), details_(std::move(details)) {}
  const std::string& details() const noexcept { return details_; }

 private:
  std::string details_;
};

}  // namespace klab::cluster
