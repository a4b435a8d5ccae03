#pragma once
// The pipeline's one stream step as a pure function: a raw sale (a line from a store's file or
// a body posted to the web endpoint) is validated, joined with the product catalog (a table of
// the source database, streamed by Debezium) and enriched, or refused with a reason.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>

namespace klab::apps::pipeline {

struct Product {
  std::string sku, name, category;
  std::int64_t price_cents = 0;
};

/// Topics of the pipeline, each "<prefix><name>".
struct PipelineTopics {
  std::string prefix;
  std::string store() const { return prefix + "raw.store"; }  ///< file source (Kafka Connect)
  std::string web() const { return prefix + "raw.web"; }      ///< HTTP ingest
  std::string products() const { return prefix + "db.public.products"; }  ///< Debezium
  std::string enriched() const { return prefix + "sales.enriched"; }
  std::string dead_letters() const { return prefix + "sales.dlt"; }
};

struct Refusal {
  std::string reason;
};

/// {sale_id, sku, product, category, qty, unit_price_cents, amount_cents, channel} or why not:
/// "not a JSON object", "missing sale_id", "missing sku", "qty must be a positive integer",
/// "unknown sku <sku>". Errors: none.
std::variant<nlohmann::json, Refusal> enrich(std::string_view raw, const std::string& channel,
                                             const std::map<std::string, Product>& catalog);

/// Applies one Debezium change event of the products table to the catalog (create, snapshot
/// read, update, delete). Returns false for a value that is not such an event. Errors: none.
bool apply_product_change(std::string_view debezium_value, std::map<std::string, Product>& catalog);

}  // namespace klab::apps::pipeline
