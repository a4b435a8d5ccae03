#pragma once
// One saga service as a program: a transactional consume-process-produce loop
// (klab::framework::TransactionalListenerContainer). Each poll batch is one Kafka transaction
// holding the service's output events and its consumer offsets, so a service killed with
// SIGKILL and restarted neither loses an event nor emits one twice (read_committed readers).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "saga.hpp"

namespace klab::apps::orders {

struct ServiceSpec {
  std::string name;  ///< "payment-service": group id and transactional.id prefix
  std::function<std::vector<std::string>(const SagaTopics&)> inputs;
  std::function<std::string(const SagaTopics&)> output;
  std::function<std::optional<nlohmann::json>(const nlohmann::json&)> handle;
};

/// main() of a saga service: --prefix, --partitions, --work-ms, --session-timeout-ms.
int run_service(int argc, char** argv, const ServiceSpec& spec);

}  // namespace klab::apps::orders
