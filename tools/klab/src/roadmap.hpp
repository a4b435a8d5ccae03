#pragma once
// The roadmap (roadmap.json: every item of the learning roadmap and the tests that prove it)
// joined with the latest GoogleTest JSON reports. `klab progress` and the console render it.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace klab::roadmap {

enum class TestOutcome { passed, failed, skipped, missing };
enum class ItemState { passed, failed, not_covered, not_run };

struct Item {
  std::string id, phase, section, title;
  std::vector<std::string> tests;  ///< "Suite.Test"
};

struct Phase {
  std::string id, title;
};

struct Roadmap {
  std::vector<Phase> phases;
  std::vector<Item> items;
  /// Throws std::runtime_error naming the file and what is wrong with it.
  static Roadmap load(const std::filesystem::path& file);
};

/// "Suite.Test" -> outcome, from every *.json GoogleTest report in `dir`.
/// Throws std::runtime_error naming a report that is not valid JSON.
std::map<std::string, TestOutcome> load_results(const std::filesystem::path& dir);

struct ItemReport {
  const Item* item = nullptr;
  ItemState state = ItemState::not_covered;
  int passed = 0, failed = 0, skipped = 0, missing = 0;
};

/// An item passes when every listed test ran and passed; it fails when any failed; it is
/// not run when some have no result (or were skipped); not covered when it lists no test.
std::vector<ItemReport> evaluate(const Roadmap& roadmap,
                                 const std::map<std::string, TestOutcome>& results);

const char* symbol(ItemState s);  ///< ✅ ❌ ⬜ ⏳

}  // namespace klab::roadmap
