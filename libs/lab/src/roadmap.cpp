#include "klab/lab/roadmap.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

int severity(TestOutcome o) {
  switch (o) {
    case TestOutcome::failed:
      return 3;
    case TestOutcome::skipped:
      return 2;
    case TestOutcome::passed:
      return 1;
    case TestOutcome::missing:
      return 0;
  }
  return 0;
}

// GoogleTest 1.12's JSON leaves a skip's message out: KLAB_SKIP records it as the test's
// "skip_reason" property. A failure's text is the first entry of "failures".
std::string first_message(const json& t) {
  if (t.contains("skip_reason") && t["skip_reason"].is_string()) return t["skip_reason"];
  for (const auto& f : t.value("failures", json::array()))
    if (f.is_object()) return f.value("failure", "");
  return "";
}

}  // namespace

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
      Item item{i.at("id"), i.at("phase"), i.value("section", ""), i.at("title"), {}, {}};
      for (auto& t : i.value("tests", json::array())) item.tests.push_back(t);
      for (auto& t : i.value("static_checks", json::array())) item.static_checks.push_back(t);
      if (item.tests.empty() && !item.static_checks.empty())
        throw std::runtime_error("item " + item.id +
                                 " has static_checks but no tests: a static check alone never "
                                 "proves an item");
      r.items.push_back(std::move(item));
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(file.string() + ": " + e.what());
  }
  return r;
}

std::map<std::string, TestResult> load_results(const fs::path& dir) {
  std::map<std::string, TestResult> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    json j;
    try {
      j = json::parse(in);
    } catch (const std::exception&) {
      continue;  // a binary that crashed mid-write: count nothing from it
    }
    for (auto& suite : j.value("testsuites", json::array())) {
      for (auto& t : suite.value("testsuite", json::array())) {
        std::string name = suite.value("name", "") + "." + t.value("name", "");
        TestResult r{TestOutcome::passed, ""};
        if (t.value("result", "") == "SKIPPED" || t.value("status", "") == "NOTRUN")
          r = {TestOutcome::skipped, first_message(t)};
        else if (t.contains("failures") && !t["failures"].empty())
          r = {TestOutcome::failed, first_message(t)};
        auto it = out.find(name);
        if (it == out.end() || severity(r.outcome) > severity(it->second.outcome)) out[name] = r;
      }
    }
  }
  return out;
}

int clear_results(const fs::path& dir) {
  int deleted = 0;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::error_code rm;
    if (!fs::remove(entry.path(), rm) && rm)
      throw LabError(LabError::Kind::failed, "cannot delete the old test report " +
                                                 entry.path().string() + ": " + rm.message());
    ++deleted;
  }
  return deleted;
}

std::vector<ItemReport> evaluate(const Roadmap& roadmap,
                                 const std::map<std::string, TestResult>& results) {
  std::vector<ItemReport> out;
  auto result_of = [&](const std::string& test) {
    auto it = results.find(test);
    return it == results.end() ? TestResult{} : it->second;
  };
  for (const auto& item : roadmap.items) {
    ItemReport r;
    r.item = &item;
    for (const auto& t : item.tests) {
      auto res = result_of(t);
      switch (res.outcome) {
        case TestOutcome::passed:
          ++r.passed;
          break;
        case TestOutcome::failed:
          ++r.failed;
          break;
        case TestOutcome::skipped:
          ++r.skipped;
          if (r.reason.empty())
            r.reason = t + " was skipped" + (res.message.empty() ? "" : ": " + res.message);
          break;
        case TestOutcome::missing:
          ++r.missing;
          if (r.reason.empty()) r.reason = t + " has no result";
          break;
      }
    }
    bool statics_failed = false, statics_passed = !item.static_checks.empty();
    for (const auto& t : item.static_checks) {
      auto o = result_of(t).outcome;
      statics_failed |= o == TestOutcome::failed;
      statics_passed &= o == TestOutcome::passed;
    }
    if (item.tests.empty())
      r.state = ItemState::not_covered;
    else if (r.failed || statics_failed)
      r.state = ItemState::failed;
    else if (!r.skipped && !r.missing)
      r.state = ItemState::passed;
    else if (statics_passed)
      r.state = ItemState::checked_statically;
    else
      r.state = ItemState::not_run;
    if (r.state == ItemState::passed || r.state == ItemState::failed) r.reason.clear();
    out.push_back(std::move(r));
  }
  return out;
}

const char* symbol(ItemState s) {
  switch (s) {
    case ItemState::passed:
      return "✅";
    case ItemState::failed:
      return "❌";
    case ItemState::checked_statically:
      return "🔎";
    case ItemState::not_run:
      return "⏳";
    case ItemState::not_covered:
      return "⬜";
  }
  return "?";
}

const char* name(ItemState s) {
  switch (s) {
    case ItemState::passed:
      return "passed";
    case ItemState::failed:
      return "failed";
    case ItemState::checked_statically:
      return "checked_statically";
    case ItemState::not_run:
      return "not_run";
    case ItemState::not_covered:
      return "not_covered";
  }
  return "?";
}

}  // namespace klab::lab
