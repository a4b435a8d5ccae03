#include "context.hpp"

namespace klab::cli {

Context make_context() {
  Context c{klab::cluster::LabPaths::discover(), {}};
  c.target = klab::cluster::resolve_target(c.paths);
  return c;
}

void throw_if_refused(const Context& ctx, const klab::Error& error,
                      const klab::lab::AccessRequest& request, const std::string& group) {
  if (auto line =
          klab::lab::explain_refusal(error, klab::lab::principal_of(ctx.target), request, group))
    throw CommandError(*line);
}

}  // namespace klab::cli
