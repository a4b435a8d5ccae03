// cdc-workload: keeps the shop database changing (new orders, status and amount updates,
// cancelled orders deleted) so the CDC pipeline has something to carry.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "klab/apps/app_support.hpp"

int cdc_workload_main(int argc, char** argv) {
  CLI::App app{"Changes the shop database at a steady pace."};
  std::string db_base, database = "shop";
  double rate = 2;
  app.add_option("--postgres", db_base, "libpq settings (default: $KLAB_POSTGRES, else the lab's)");
  app.add_option("--database", database, "the source database")->capture_default_str();
  app.add_option("--rate", rate, "changes per second")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  try {
    pqxx::connection c(klab::apps::database_conninfo(db_base, database));
    auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
    long n = 0;
    while (!klab::apps::stop_requested()) {
      pqxx::work w(c);
      switch (n++ % 4) {
        case 0:
        case 1:  // a new order for a random customer
          w.exec(
              "INSERT INTO orders SELECT coalesce(max(id), 0) + 1, (SELECT id FROM customers "
              "ORDER BY random() LIMIT 1), (random() * 50000)::bigint, 'placed' FROM orders");
          break;
        case 2:  // the oldest placed order is paid
          w.exec(
              "UPDATE orders SET status = 'paid' WHERE id = (SELECT min(id) FROM orders WHERE "
              "status = 'placed')");
          break;
        default:  // a random order is cancelled and removed
          w.exec("DELETE FROM orders WHERE id = (SELECT id FROM orders ORDER BY random() LIMIT 1)");
      }
      w.commit();
      std::this_thread::sleep_for(gap);
    }
    std::cout << "cdc-workload: " << n << " changes" << std::endl;
    return 0;
  } catch (const std::exception& e) {
    return klab::apps::fail("cdc-workload", e.what());
  }
}
