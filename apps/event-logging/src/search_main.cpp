// event-search: the stored events by service, level and time range, newest first.
#include <CLI/CLI.hpp>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "event_store.hpp"
#include "klab/apps/app_support.hpp"

namespace {
std::string utc(std::int64_t ms) {
  std::time_t t = ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%Y-%m-%d %H:%M:%S") << "." << std::setw(3) << std::setfill('0')
      << ms % 1000 << "Z";
  return out.str();
}
}  // namespace

int event_search_main(int argc, char** argv) {
  CLI::App app{"Searches the collected events (newest first)."};
  klab::apps::logging::EventQuery q;
  std::string service, level, from, to, db_base, database = "event_logging";
  bool json = false;
  app.add_option("--service", service, "only this service");
  app.add_option("--level", level, "this level and above: DEBUG, INFO, WARN, ERROR")
      ->check(CLI::IsMember({"DEBUG", "INFO", "WARN", "ERROR"}));
  app.add_option("--from", from, "from this time on, e.g. '2026-12-07 10:00' or 'today'");
  app.add_option("--to", to, "before this time");
  app.add_option("--limit", q.limit, "most events shown")->capture_default_str();
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "database the collector stores into")
      ->capture_default_str();
  app.add_flag("--json", json, "one JSON event per line");
  CLI11_PARSE(app, argc, argv);
  if (!service.empty()) q.service = service;
  if (!level.empty()) q.level = level;
  if (!from.empty()) q.from = from;
  if (!to.empty()) q.to = to;
  try {
    klab::apps::logging::EventStore store(klab::apps::database_conninfo(db_base, database));
    auto found = store.search(q);
    for (const auto& e : found) {
      if (json)
        std::cout << klab::apps::logging::to_json(e) << "\n";
      else
        std::cout << utc(e.timestamp_ms) << "  " << std::left << std::setw(5) << e.level << "  "
                  << std::setw(10) << e.service << "  " << e.message << "  " << e.fields.dump()
                  << "\n";
    }
    if (!json) std::cout << found.size() << " event(s)\n";
    return 0;
  } catch (const pqxx::data_exception& e) {
    return klab::apps::fail("event-search",
                            std::string("PostgreSQL cannot read a time given: ") + e.what());
  } catch (const pqxx::broken_connection& e) {
    return klab::apps::fail("event-search", std::string("no database: ") + e.what() +
                                                " (start it with `klab app run event-logging`)");
  } catch (const std::exception& e) {
    return klab::apps::fail("event-search", e.what());
  }
}
