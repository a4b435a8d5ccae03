#include "roadmap.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace klab::roadmap {
namespace fs = std::filesystem;
using nlohmann::json;

Roadmap Roadmap::load(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read the roadmap " + file.string());
  json j;
  try {
    j = json::parse(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not valid JSON: " + e.what());
  }
  Roadmap r;
  try {
    for (auto& p : j.at("phases")) r.phases.push_back({p.at("id"), p.at("title")});
    for (auto& i : j.at("items")) {
      Item item{i.at("id"), i.at("phase"), i.value("section", ""), i.at("title"), {}};
      for (auto& t : i.value("tests", json::array())) item.tests.push_back(t);
      r.items.push_back(std::move(item));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  return r;
}

std::map<std::string, TestOutcome> load_results(const fs::path& dir) {
  std::map<std::string, TestOutcome> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    json j;
    try {
      j = json::parse(in);
    } catch (const std::exception& e) {
      // A binary that crashed mid-run leaves a partial report: count nothing from it.
      continue;
    }
    for (auto& suite : j.value("testsuites", json::array())) {
      for (auto& t : suite.value("testsuite", json::array())) {
        std::string name = suite.value("name", "") + "." + t.value("name", "");
        TestOutcome o = TestOutcome::passed;
        if (t.contains("failures") && !t["failures"].empty())
          o = TestOutcome::failed;
        else if (t.value("result", "") == "SKIPPED" || t.value("status", "") == "NOTRUN")
          o = TestOutcome::skipped;
        // The same test in two reports: a failure anywhere wins.
        auto it = out.find(name);
        if (it == out.end() || o == TestOutcome::failed) out[name] = o;
      }
    }
  }
  return out;
}

std::vector<ItemReport> evaluate(const Roadmap& roadmap,
                                 const std::map<std::string, TestOutcome>& results) {
  std::vector<ItemReport> out;
  for (const auto& item : roadmap.items) {
    ItemReport r;
    r.item = &item;
    for (const auto& t : item.tests) {
      auto it = results.find(t);
      TestOutcome o = it == results.end() ? TestOutcome::missing : it->second;
      switch (o) {
        case TestOutcome::passed:
          ++r.passed;
          break;
        case TestOutcome::failed:
          ++r.failed;
          break;
        case TestOutcome::skipped:
          ++r.skipped;
          break;
        case TestOutcome::missing:
          ++r.missing;
          break;
      }
    }
    if (item.tests.empty())
      r.state = ItemState::not_covered;
    else if (r.failed)
      r.state = ItemState::failed;
    else if (r.skipped || r.missing)
      r.state = ItemState::not_run;
    else
      r.state = ItemState::passed;
    out.push_back(r);
  }
  return out;
}

const char* symbol(ItemState s) {
  switch (s) {
    case ItemState::passed:
      return "✅";
    case ItemState::failed:
      return "❌";
    case ItemState::not_covered:
      return "⬜";
    case ItemState::not_run:
      return "⏳";
  }
  return "?";
}

}  // namespace klab::roadmap
