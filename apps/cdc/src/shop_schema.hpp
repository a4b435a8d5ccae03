#pragma once
// The shop database CDC captures, and its replica: the same two tables on both sides, so the
// replica can be compared with the source by checksum.
#include <string>

namespace klab::apps::cdc {

/// The two tables, the same on source and replica.
inline const std::string kShopTables = R"(
CREATE TABLE IF NOT EXISTS customers (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  email text NOT NULL,
  tier  text NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  id           integer PRIMARY KEY,
  customer_id  integer NOT NULL,
  amount_cents bigint NOT NULL,
  status       text NOT NULL
);
)";

/// The source, with REPLICA IDENTITY FULL: an update or delete then carries the whole old row
/// (Debezium's "before"), not just the key.
inline const std::string kSourceSchema = kShopTables + R"(
ALTER TABLE customers REPLICA IDENTITY FULL;
ALTER TABLE orders REPLICA IDENTITY FULL;
)";

/// The replica, and the derived view the materializer keeps: per customer, how many orders and
/// their total.
inline const std::string kReplicaSchema = kShopTables + R"(
CREATE TABLE IF NOT EXISTS customer_totals (
  customer_id  integer PRIMARY KEY,
  name         text,
  order_count  bigint NOT NULL,
  total_cents  bigint NOT NULL
);
)";

/// A checksum of a table's rows in key order, the same text on source and replica when they
/// hold the same rows.
inline constexpr const char* kChecksumSql =
    "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), 'empty') FROM {table} t";

/// The derived view as the source would give it: what customer_totals must equal.
inline constexpr const char* kTotalsFromOrdersSql = R"(
SELECT c.id, c.name, count(o.id), coalesce(sum(o.amount_cents), 0)
FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.name ORDER BY c.id)";

}  // namespace klab::apps::cdc
