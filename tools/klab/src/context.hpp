#pragma once
// What every klab command needs: where the lab lives, which cluster to talk to, how to fail.
#include <stdexcept>
#include <string>

#include "klab/client/config.hpp"
#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/target.hpp"
#include "klab/lab/access_refusal.hpp"

namespace klab::cli {

/// A failure to report as one line on stderr with a non-zero exit code.
class CommandError : public std::runtime_error {
 public:
  explicit CommandError(const std::string& what, int exit_code = 1)
      : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

struct Context {
  klab::cluster::LabPaths paths;
  klab::cluster::ClusterTarget target;
  klab::client::Config client_config() const { return klab::cluster::client_config(target); }
};

/// Throws CommandError with one line naming the principal, the operation, the resource and the
/// fix when `error` is an authorization or authentication refusal; returns otherwise.
void throw_if_refused(const Context& ctx, const klab::Error& error,
                      const klab::lab::AccessRequest& request, const std::string& group = "");

/// Resolves paths and the target cluster (throws ClusterError with the fix).
Context make_context();

}  // namespace klab::cli
