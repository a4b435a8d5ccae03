#include "event_store.hpp"

namespace klab::apps::logging {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS events (
  id          bigserial PRIMARY KEY,        -- storage order
  event_id    text NOT NULL UNIQUE,         -- idempotence: a redelivered event is skipped
  service     text NOT NULL,
  level       text NOT NULL,
  level_rank  smallint NOT NULL,
  ts          timestamptz NOT NULL,
  sequence    bigint NOT NULL,
  message     text NOT NULL,
  fields      jsonb NOT NULL,
  kafka_partition int NOT NULL,
  kafka_offset    bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS events_service_ts ON events (service, ts);
CREATE INDEX IF NOT EXISTS events_level_ts ON events (level_rank, ts);
)";

int rank_of(const std::string& level) {
  if (level == "DEBUG") return 0;
  if (level == "INFO") return 1;
  if (level == "WARN") return 2;
  return 3;
}

LogEvent from_row(const pqxx::row& r) {
  LogEvent e;
  e.event_id = r["event_id"].c_str();
  e.service = r["service"].c_str();
  e.level = r["level"].c_str();
  e.timestamp_ms = r["ts_ms"].as<std::int64_t>();
  e.sequence = r["sequence"].as<std::int64_t>();
  e.message = r["message"].c_str();
  e.fields = nlohmann::json::parse(r["fields"].c_str(), nullptr, false);
  return e;
}

constexpr const char* kColumns =
    "event_id, service, level, (extract(epoch from ts) * 1000)::bigint AS ts_ms, sequence, "
    "message, fields::text AS fields";

}  // namespace

EventStore::EventStore(const std::string& conninfo) : connection_(conninfo) {
  pqxx::work w(connection_);
  // Two collectors starting together race on CREATE ... IF NOT EXISTS: serialize them.
  w.exec("SELECT pg_advisory_xact_lock(4242)");
  w.exec(kSchema);
  w.commit();
  connection_.prepare("insert_event",
                      "INSERT INTO events (event_id, service, level, level_rank, ts, sequence, "
                      "message, fields, kafka_partition, kafka_offset) VALUES ($1, $2, $3, $4, "
                      "to_timestamp($5::bigint / 1000.0), $6, $7, $8::jsonb, $9, $10) "
                      "ON CONFLICT (event_id) DO NOTHING");
}

StoreResult EventStore::store(const std::vector<StoredEvent>& batch) {
  StoreResult result;
  pqxx::work w(connection_);
  for (const auto& s : batch) {
    const auto& e = s.event;
    auto r = w.exec_prepared("insert_event", e.event_id, e.service, e.level, rank_of(e.level),
                             e.timestamp_ms, e.sequence, e.message, e.fields.dump(), s.partition,
                             s.offset);
    if (r.affected_rows() == 1)
      ++result.inserted;
    else
      ++result.duplicates;
  }
  w.commit();
  return result;
}

std::vector<LogEvent> EventStore::search(const EventQuery& q) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM events WHERE true";
  pqxx::work w(connection_);
  if (q.service) sql += " AND service = " + w.quote(*q.service);
  if (q.level) sql += " AND level_rank >= " + std::to_string(rank_of(*q.level));
  if (q.from) sql += " AND ts >= " + w.quote(*q.from) + "::timestamptz";
  if (q.to) sql += " AND ts < " + w.quote(*q.to) + "::timestamptz";
  sql += " ORDER BY ts DESC, id DESC LIMIT " + std::to_string(q.limit);
  std::vector<LogEvent> out;
  for (const auto& row : w.exec(sql)) out.push_back(from_row(row));
  return out;
}

std::vector<LogEvent> EventStore::all_in_storage_order() {
  pqxx::work w(connection_);
  std::vector<LogEvent> out;
  for (const auto& row : w.exec(std::string("SELECT ") + kColumns + " FROM events ORDER BY id"))
    out.push_back(from_row(row));
  return out;
}

}  // namespace klab::apps::logging
