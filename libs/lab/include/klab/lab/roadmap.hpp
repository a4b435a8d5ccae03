#pragma once
// The learning roadmap (roadmap.json: every item and the tests that prove it) joined with the
// latest GoogleTest JSON reports. `klab progress` and the console both render it from here.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace klab::lab {

enum class TestOutcome { passed, failed, skipped, missing };

/// What the latest run says of one test.
struct TestResult {
  TestOutcome outcome = TestOutcome::missing;
  std::string message;  ///< why it was skipped, or its first failure
};

/// An item's state. Only `passed` is a ✅: every test it lists passed in the latest run.
enum class ItemState {
  passed,              ///< ✅ every test passed
  failed,              ///< ❌ a test or a static check failed
  checked_statically,  ///< 🔎 its real tests could not run here (e.g. no Docker engine), its
                       ///<    static checks passed: a file was parsed, nothing ran
  not_run,             ///< ⏳ a test has no result or was skipped
  not_covered,         ///< ⬜ no test yet
};

struct Item {
  std::string id, phase, section, title;
  std::vector<std::string> tests;          ///< "Suite.Test": what proves the item
  std::vector<std::string> static_checks;  ///< what checks it without running it
};

struct Phase {
  std::string id, title;
};

struct Roadmap {
  std::vector<Phase> phases;
  std::vector<Item> items;
  /// Errors: std::runtime_error naming the file and what is wrong with it.
  static Roadmap load(const std::filesystem::path& file);
};

/// "Suite.Test" -> result, from every *.json GoogleTest report in `dir` (a missing folder is no
/// results). A report that is not valid JSON (a binary that crashed while writing) counts
/// nothing. Where one test appears in several reports the worst wins: failed, then skipped,
/// then passed. Errors: none.
std::map<std::string, TestResult> load_results(const std::filesystem::path& dir);

/// Deletes every *.json report in `dir`, so a binary that then crashes, times out or cannot
/// start its cluster leaves no result of an earlier run behind. Returns how many it deleted.
/// Errors: LabError failed naming a report it cannot delete.
int clear_results(const std::filesystem::path& dir);

struct ItemReport {
  const Item* item = nullptr;
  ItemState state = ItemState::not_covered;
  int passed = 0, failed = 0, skipped = 0, missing = 0;
  /// For checked_statically and not_run: why (the first skip message, or "no result").
  std::string reason;
};

/// passed when every listed test passed; failed when any test or static check failed;
/// checked_statically when some tests were skipped or have no result but every static check
/// passed; not_run otherwise; not_covered when the item lists no test.
std::vector<ItemReport> evaluate(const Roadmap& roadmap,
                                 const std::map<std::string, TestResult>& results);

const char* symbol(ItemState s);  ///< ✅ ❌ 🔎 ⏳ ⬜
const char* name(ItemState s);    ///< "passed", "failed", "checked_statically", ...

}  // namespace klab::lab
