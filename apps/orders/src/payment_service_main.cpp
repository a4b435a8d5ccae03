// payment-service: one step of the order saga in its own process (see saga.hpp).
#include "saga_service.hpp"

int payment_service_main(int argc, char** argv) {
  using namespace klab::apps::orders;
  return run_service(argc, argv,
                     {.name = "payment-service",
                      .inputs =
                          [](const SagaTopics& t) {
                            return std::vector<std::string>{t.orders(), t.shipping()};
                          },
                      .output = [](const SagaTopics& t) { return t.payments(); },
                      .handle = payment_service});
}
