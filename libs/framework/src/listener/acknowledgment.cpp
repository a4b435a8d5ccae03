#include "klab/framework/listener/acknowledgment.hpp"

namespace klab::framework {

void Acknowledgment::acknowledge() {
  if (acknowledged_) return;
  if (on_acknowledge_) on_acknowledge_();
  acknowledged_ = true;  // only after a successful commit in manual_immediate
}

}  // namespace klab::framework
