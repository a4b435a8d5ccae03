// Java --command-config files made from librdkafka properties: one per source file, so test
// clusters running side by side (each with its own admin-mtls.properties, CA and keys) never
// hand a Java tool another cluster's certificate.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "klab/cluster/secure_listeners.hpp"

namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A lab-like security folder with admin-mtls.properties whose key and certificate say `tag`.
fs::path lab_folder(const std::string& tag) {
  std::string pattern = (fs::temp_directory_path() / "klab-jcc-XXXXXX").string();
  fs::path dir = mkdtemp(pattern.data());
  std::ofstream(dir / "admin.key.pem") << "KEY " << tag << "\n";
  std::ofstream(dir / "admin.cert.pem") << "CERT " << tag << "\n";
  std::ofstream(dir / "admin-mtls.properties")
      << "bootstrap.servers=127.0.0.1:9112\nsecurity.protocol=SSL\nssl.ca.location="
      << (dir / "ca.pem").string() << "\nssl.key.location=" << (dir / "admin.key.pem").string()
      << "\nssl.certificate.location=" << (dir / "admin.cert.pem").string() << "\n";
  return dir;
}

TEST(JavaCommandConfig, TwoClustersPropertiesOfTheSameNameGetTheirOwnJavaFileAndKeystore) {
  auto a = lab_folder("cluster-a"), b = lab_folder("cluster-b");
  auto ja = klab::cluster::java_command_config(a / "admin-mtls.properties");
  auto jb = klab::cluster::java_command_config(b / "admin-mtls.properties");
  EXPECT_NE(ja, jb);
  auto keystore_of = [](const std::string& text) {
    auto at = text.find("ssl.keystore.location=") + 22;
    return fs::path(text.substr(at, text.find('\n', at) - at));
  };
  auto ta = slurp(ja), tb = slurp(jb);
  EXPECT_NE(ta.find("ssl.truststore.location=" + (a / "ca.pem").string()), std::string::npos) << ta;
  EXPECT_NE(slurp(keystore_of(ta)).find("KEY cluster-a"), std::string::npos);
  EXPECT_NE(slurp(keystore_of(tb)).find("CERT cluster-b"), std::string::npos);
  EXPECT_EQ(slurp(keystore_of(ta)).find("cluster-b"), std::string::npos);
  fs::remove_all(a);
  fs::remove_all(b);
}

}  // namespace
