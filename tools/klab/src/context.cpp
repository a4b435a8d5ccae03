#include "context.hpp"

namespace klab::cli {

Context make_context() {
  Context c{klab::cluster::LabPaths::discover(), {}};
  c.target = klab::cluster::resolve_target(c.paths);
  return c;
}

}  // namespace klab::cli
