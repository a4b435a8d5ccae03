// pipeline-feed: keeps the pipeline's two outside sources busy: appends sales to the stores'
// file (the file connector tails it) and posts web sales to the ingest endpoint; one in ten of
// each is invalid on purpose, for the dead-letter topic.
#include <httplib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "klab/apps/app_support.hpp"

int pipeline_feed_main(int argc, char** argv) {
  CLI::App app{"Feeds the pipeline's file and web sources."};
  std::string file;
  int port = 8090;
  double rate = 4;
  app.add_option("--file", file, "the stores' sales file")->required();
  app.add_option("--web-port", port, "pipeline-ingest's port")->capture_default_str();
  app.add_option("--rate", rate, "sales per second per source")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  klab::apps::catch_stop_signals();
  const std::string run = std::to_string(std::time(nullptr) % 100000);
  auto sale = [&](const std::string& channel, long i) {
    if (i % 10 == 9) return std::string("{\"sale_id\":\"") + channel + "-broken\", \"qty\":";
    return nlohmann::json{{"sale_id", channel + "-" + run + "-" + std::to_string(i)},
                          {"sku", "SKU-" + std::to_string(1 + i % 20)},
                          {"qty", 1 + i % 4}}
        .dump();
  };
  httplib::Client web("127.0.0.1", port);
  web.set_connection_timeout(std::chrono::seconds(2));
  auto gap = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / rate));
  long i = 0, posted = 0;
  while (!klab::apps::stop_requested()) {
    std::ofstream(file, std::ios::app) << sale("store", i) << "\n";
    if (auto r = web.Post("/sales", sale("web", i) + "\n", "application/x-ndjson");
        r && r->status == 202)
      ++posted;
    ++i;
    std::this_thread::sleep_for(gap);
  }
  std::cout << "pipeline-feed: " << i << " store lines, " << posted << " web sales posted"
            << std::endl;
  return 0;
}
