#pragma once
// One executable per practice system, holding all its programs (as busybox does): the build
// links each program's name to it, and the name it is started by picks the program. One binary
// instead of five saves the build a link and a compile of the same templates per program.
#include <cstring>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace klab::apps {

using ProgramMain = int (*)(int, char**);

/// Runs the program named by argv[0]'s file name, or by argv[1] (then shifted away); otherwise
/// lists the programs and returns 2.
inline int dispatch(int argc, char** argv,
                    const std::vector<std::pair<const char*, ProgramMain>>& programs) {
  auto base = [](const char* path) {
    const char* slash = std::strrchr(path, '/');
    return std::string(slash ? slash + 1 : path);
  };
  for (const auto& [name, run] : programs)
    if (base(argv[0]) == name) return run(argc, argv);
  if (argc > 1)
    for (const auto& [name, run] : programs)
      if (std::string(argv[1]) == name) return run(argc - 1, argv + 1);
  std::cerr << base(argv[0]) << ": name a program (or start it by its own name):";
  for (const auto& p : programs) std::cerr << " " << p.first;
  std::cerr << "\n";
  return 2;
}

}  // namespace klab::apps
