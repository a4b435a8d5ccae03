// shipping-service: one step of the order saga in its own process (see saga.hpp).
#include "saga_service.hpp"

int shipping_service_main(int argc, char** argv) {
  using namespace klab::apps::orders;
  return run_service(
      argc, argv,
      {.name = "shipping-service",
       .inputs = [](const SagaTopics& t) { return std::vector<std::string>{t.payments()}; },
       .output = [](const SagaTopics& t) { return t.shipping(); },
       .handle = shipping_service});
}
