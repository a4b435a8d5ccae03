#include "klab/framework/core/routing_kafka_template.hpp"

namespace klab::framework::detail {

void RouteTable::add(std::string pattern) {
  if (pattern.empty())
    throw KafkaException(Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
                               "RoutingKafkaTemplate: empty topic pattern (use \".*\" for all)"));
  try {
    std::regex regex(pattern, std::regex::ECMAScript);
    routes_.push_back({std::move(pattern), std::move(regex)});
  } catch (const std::regex_error& e) {
    throw KafkaException(Error(
        RD_KAFKA_RESP_ERR__INVALID_ARG,
        "RoutingKafkaTemplate: topic pattern '" + pattern + "' is not a valid regex: " + e.what()));
  }
}

std::optional<std::size_t> RouteTable::match(std::string_view topic) const {
  for (std::size_t i = 0; i < routes_.size(); ++i)
    if (std::regex_match(topic.begin(), topic.end(), routes_[i].regex)) return i;
  return std::nullopt;
}

Error RouteTable::no_route(std::string_view topic) const {
  std::string tried;
  for (const auto& entry : routes_) tried += (tried.empty() ? "" : ", ") + entry.text;
  return Error(RD_KAFKA_RESP_ERR__INVALID_ARG,
               "RoutingKafkaTemplate: no route for topic '" + std::string(topic) +
                   "' (patterns: " + (tried.empty() ? "none" : tried) + ")");
}

}  // namespace klab::framework::detail
