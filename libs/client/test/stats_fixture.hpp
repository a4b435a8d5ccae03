#pragma once
// Shared by the producer and consumer statistics tests: read a captured JSON sample, and catch
// the error a parser throws for a broken one.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "klab/client/error.hpp"

namespace klab::client::test {

inline std::string read_stats_fixture(const std::string& file) {
  std::ifstream in(std::string(KLAB_CLIENT_TEST_DATA) + "/" + file);
  EXPECT_TRUE(in) << file << " missing under " << KLAB_CLIENT_TEST_DATA;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The error Stats::parse() throws for `doc`, or a test failure when it throws none.
template <typename Stats>
klab::Error parse_error_of(const nlohmann::json& doc) {
  try {
    Stats::parse(doc.dump());
  } catch (const KafkaException& e) {
    return e.error();
  }
  ADD_FAILURE() << "expected a KafkaException";
  return {};
}

}  // namespace klab::client::test
