#include "saga.hpp"

namespace klab::apps::orders {

nlohmann::json event(const std::string& type, const nlohmann::json& order) {
  nlohmann::json e = order;
  e["type"] = type;
  return e;
}

std::optional<nlohmann::json> order_service(const nlohmann::json& in) {
  const std::string type = in.value("type", "");
  if (type == "OrderRequested") return event("OrderCreated", in);
  if (type == "ShipmentScheduled") return event("OrderCompleted", in);
  if (type == "PaymentDeclined") {
    auto e = event("OrderCancelled", in);
    e["reason"] = "payment_declined";
    return e;
  }
  if (type == "PaymentRefunded") {
    auto e = event("OrderCancelled", in);
    e["reason"] = "refunded";
    return e;
  }
  return std::nullopt;
}

std::optional<nlohmann::json> payment_service(const nlohmann::json& in) {
  const std::string type = in.value("type", "");
  if (type == "OrderCreated") {
    if (in.value("amount", 0L) > kCreditLimit) {
      auto e = event("PaymentDeclined", in);
      e["reason"] = "over the credit limit";
      return e;
    }
    auto e = event("PaymentCompleted", in);
    e["payment_id"] = "pay-" + in.value("order_id", std::string());
    return e;
  }
  if (type == "ShippingFailed") return event("PaymentRefunded", in);
  return std::nullopt;
}

std::optional<nlohmann::json> shipping_service(const nlohmann::json& in) {
  if (in.value("type", "") != "PaymentCompleted") return std::nullopt;
  if (in.value("address", "") == kUnreachableAddress) {
    auto e = event("ShippingFailed", in);
    e["reason"] = "address unreachable";
    return e;
  }
  return event("ShipmentScheduled", in);
}

std::string expected_outcome(long amount, const std::string& address) {
  if (amount > kCreditLimit) return "cancelled:payment_declined";
  if (address == kUnreachableAddress) return "cancelled:refunded";
  return "completed";
}

}  // namespace klab::apps::orders
