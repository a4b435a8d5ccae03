// order-service: one step of the order saga in its own process (see saga.hpp).
#include "saga_service.hpp"

int order_service_main(int argc, char** argv) {
  using namespace klab::apps::orders;
  return run_service(
      argc, argv,
      {.name = "order-service",
       .inputs =
           [](const SagaTopics& t) {
             return std::vector<std::string>{t.requests(), t.payments(), t.shipping()};
           },
       .output = [](const SagaTopics& t) { return t.orders(); },
       .handle = order_service});
}
