#pragma once
// The order saga's rules, as pure functions: what each service emits for each event it reads.
// Choreography: no central coordinator; every service reacts to the others' events.
//
//   OrderRequested ─> order: OrderCreated ─> payment: PaymentCompleted ─> shipping:
//   ShipmentScheduled ─> order: OrderCompleted
//                                               └─ PaymentDeclined ─> order:
//                                               OrderCancelled(payment_declined)
//                                                                         shipping: ShippingFailed
//                                                                         ─> payment:
//                                                                         PaymentRefunded
//                                                                                                   ─> order: OrderCancelled(refunded)
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace klab::apps::orders {

/// Topics of the saga, each "<prefix><name>".
struct SagaTopics {
  std::string prefix;
  std::string requests() const { return prefix + "orders.requests"; }  ///< OrderRequested
  std::string orders() const { return prefix + "orders.events"; }  ///< Created/Completed/Cancelled
  std::string payments() const {
    return prefix + "payments.events";
  }  ///< Completed/Declined/Refunded
  std::string shipping() const { return prefix + "shipping.events"; }  ///< Scheduled/Failed
};

/// Payments above this are declined (the card's limit).
inline constexpr long kCreditLimit = 1000;
/// Orders to this address cannot be shipped.
inline constexpr const char* kUnreachableAddress = "nowhere";

/// An event: {"type": .., "order_id": .., ...}. Errors: none.
nlohmann::json event(const std::string& type, const nlohmann::json& order);

/// The order service: OrderRequested -> OrderCreated; PaymentDeclined -> OrderCancelled
/// (payment_declined); PaymentRefunded -> OrderCancelled (refunded); ShipmentScheduled ->
/// OrderCompleted. Anything else: nothing. Errors: none.
std::optional<nlohmann::json> order_service(const nlohmann::json& in);
/// The payment service: OrderCreated -> PaymentCompleted (amount <= limit) or PaymentDeclined;
/// ShippingFailed -> PaymentRefunded. Errors: none.
std::optional<nlohmann::json> payment_service(const nlohmann::json& in);
/// The shipping service: PaymentCompleted -> ShipmentScheduled or ShippingFailed (unreachable
/// address). Errors: none.
std::optional<nlohmann::json> shipping_service(const nlohmann::json& in);

/// The terminal state an order must reach: "completed", "cancelled:payment_declined" or
/// "cancelled:refunded". Errors: none.
std::string expected_outcome(long amount, const std::string& address);

}  // namespace klab::apps::orders
