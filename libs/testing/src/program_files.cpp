#include "klab/testing/program_files.hpp"

#include <fstream>
#include <iterator>

#include "klab/cluster/await.hpp"

namespace klab::testing {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), {}};
}

klab::cluster::ManagedProcess start_logged(const std::filesystem::path& dir, const std::string& log,
                                           const std::vector<std::string>& argv) {
  using namespace std::chrono_literals;
  klab::cluster::ManagedProcess process(dir / (log + ".pid"), argv.at(0));
  process.start(argv, {.log_file = dir / log, .die_with_parent = true});
  // Until it has exec'd, the child shows the test binary's command line, not argv[0].
  klab::cluster::await_until([&] { return process.running(); }, klab::cluster::scaled(10s), 20ms);
  return process;
}

}  // namespace klab::testing
