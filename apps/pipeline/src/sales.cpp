#include "sales.hpp"

namespace klab::apps::pipeline {

std::variant<nlohmann::json, Refusal> enrich(std::string_view raw, const std::string& channel,
                                             const std::map<std::string, Product>& catalog) {
  auto in = nlohmann::json::parse(raw, nullptr, false);
  if (in.is_discarded() || !in.is_object()) return Refusal{"not a JSON object"};
  for (const char* key : {"sale_id", "sku"})
    if (!in.contains(key) || !in[key].is_string() || in[key].get<std::string>().empty())
      return Refusal{std::string("missing ") + key};
  if (!in.contains("qty") || !in["qty"].is_number_integer() || in["qty"].get<long>() <= 0)
    return Refusal{"qty must be a positive integer"};
  const std::string sku = in["sku"];
  auto p = catalog.find(sku);
  if (p == catalog.end()) return Refusal{"unknown sku " + sku};
  const long qty = in["qty"];
  return nlohmann::json{{"sale_id", in["sale_id"]},
                        {"sku", sku},
                        {"product", p->second.name},
                        {"category", p->second.category},
                        {"qty", qty},
                        {"unit_price_cents", p->second.price_cents},
                        {"amount_cents", qty * p->second.price_cents},
                        {"channel", channel}};
}

bool apply_product_change(std::string_view debezium_value,
                          std::map<std::string, Product>& catalog) {
  auto e = nlohmann::json::parse(debezium_value, nullptr, false);
  if (e.is_discarded() || !e.contains("op")) return false;
  if (e["op"] == "d") {
    if (e["before"].is_object()) catalog.erase(e["before"].value("sku", ""));
    return true;
  }
  const auto& a = e["after"];
  if (!a.is_object()) return false;
  Product p{a.value("sku", ""), a.value("name", ""), a.value("category", ""),
            a.value("price_cents", std::int64_t{0})};
  catalog[p.sku] = p;
  return true;
}

}  // namespace klab::apps::pipeline
