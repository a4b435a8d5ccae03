#pragma once
// A throw-away lab home for driving the real klab binary, shared by the CLI test binaries.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "klab/cluster/lab_paths.hpp"
#include "klab/cluster/ports.hpp"
#include "klab/cluster/subprocess.hpp"

namespace klab::cli_test {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The checkout this binary was built from (found above the executable, or $KLAB_HOME).
inline const fs::path source_dir = klab::cluster::LabPaths::discover().home;

// A throw-away lab home: the real kafka/ config and jars, its own state.
class LabHome {
 public:
  explicit LabHome(bool with_jars = true) {
    std::string pattern = (fs::temp_directory_path() / "klab-cli-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    fs::create_directories(dir_ / "kafka");
    fs::copy_file(source_dir / "kafka" / "pom.xml", dir_ / "kafka" / "pom.xml");
    fs::create_directory_symlink(source_dir / "kafka" / "config", dir_ / "kafka" / "config");
    fs::create_directories(dir_ / ".klab" / "kafka");
    if (with_jars) {
      fs::create_directory_symlink(source_dir / ".klab" / "kafka" / "libs",
                                   dir_ / ".klab" / "kafka" / "libs");
      fs::create_directories(dir_ / ".klab" / "kafka-previous");  // for `klab upgrade`
      fs::create_directory_symlink(source_dir / ".klab" / "kafka-previous" / "libs",
                                   dir_ / ".klab" / "kafka-previous" / "libs");
      fs::create_directories(dir_ / ".klab" / "registry");  // for --with-registry
      fs::create_directory_symlink(source_dir / ".klab" / "registry" / "app",
                                   dir_ / ".klab" / "registry" / "app");
    }
    fs::copy_file(source_dir / "roadmap.json", dir_ / "roadmap.json");
    // Programs set-up installed (Toxiproxy for the network drill).
    fs::create_directories(dir_ / ".klab" / "tools");
    if (fs::exists(source_dir / ".klab" / "tools" / "bin"))
      fs::create_directory_symlink(source_dir / ".klab" / "tools" / "bin",
                                   dir_ / ".klab" / "tools" / "bin");
  }
  ~LabHome() {
    run({"down"});
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

  /// Runs klab in this home; `env` is prepended as "NAME=value ..." (e.g. a properties file).
  klab::cluster::CommandResult run(const std::vector<std::string>& args,
                                   const std::string& stdin_text = "",
                                   const std::string& env = "") const {
    // Light JVMs, as test clusters use: these labs check the CLI, not broker speed.
    std::string cmd = env + " KLAB_LIGHT_JVM=1 KLAB_HOME='" + dir_.string() + "' ";
    if (!stdin_text.empty()) cmd = "printf '%s' '" + stdin_text + "' | " + cmd;
    cmd += KLAB_CLI_PATH;
    for (const auto& a : args) cmd += " '" + a + "'";
    return klab::cluster::run_command({"sh", "-c", cmd + " 2>&1"}, 180s);
  }

 private:
  fs::path dir_;
};

// From 14000-19999, below the 20000+ where test clusters of other binaries pick theirs: a lab
// this binary stops and starts again keeps its port, which no parallel test can take meanwhile.
inline std::uint16_t free_port() {
  auto p = klab::cluster::find_free_port_block(1, 14000, 20000);
  if (!p) throw std::runtime_error("no free port");
  return *p;
}

// A loopback port held by a listening socket for as long as this lives: "already in use".
class HeldPort {
 public:
  HeldPort() : port_(free_port()) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 1) != 0)
      throw std::runtime_error("cannot hold port " + std::to_string(port_));
  }
  ~HeldPort() { close(fd_); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  std::uint16_t port_;
  int fd_ = -1;
};

}  // namespace klab::cli_test
