#pragma once
// Where the collector keeps events: one PostgreSQL table, the event id its primary key, so a
// batch delivered twice (a collector killed after storing, before committing offsets) is stored
// once.
#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "log_event.hpp"

namespace klab::apps::logging {

struct StoredEvent {
  LogEvent event;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

struct StoreResult {
  std::size_t inserted = 0;
  std::size_t duplicates = 0;  ///< already stored: skipped
};

struct EventQuery {
  std::optional<std::string> service;
  std::optional<std::string> level;  ///< this level and above (WARN: WARN and ERROR)
  std::optional<std::string> from;   ///< any timestamp PostgreSQL reads, e.g. "2026-12-07 10:00"
  std::optional<std::string> to;     ///< exclusive
  std::size_t limit = 100;
};

class EventStore {
 public:
  /// Connects and creates the table and its indexes unless they exist.
  /// Errors: pqxx::broken_connection naming the server; pqxx::sql_error.
  explicit EventStore(const std::string& conninfo);
  /// Stores a batch in one transaction: all rows or none. Errors: pqxx exceptions.
  StoreResult store(const std::vector<StoredEvent>& batch);
  /// Newest first. Errors: pqxx::data_exception for a time PostgreSQL cannot read.
  std::vector<LogEvent> search(const EventQuery& query);
  /// Events stored, per service in storage order (the order they arrived). Errors: pqxx.
  std::vector<LogEvent> all_in_storage_order();

 private:
  pqxx::connection connection_;
};

}  // namespace klab::apps::logging
