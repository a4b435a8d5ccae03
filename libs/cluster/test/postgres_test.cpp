// The practice systems' PostgreSQL: the lab's own server, its own data directory and port.
#include "klab/cluster/postgres.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/ports.hpp"

namespace {
namespace fs = std::filesystem;
using namespace klab::cluster;

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("klab-pg-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

std::uint16_t a_free_port() { return find_free_port_block(1, 41000, 46000).value(); }

TEST(LabPostgres, StartsCreatesADatabaseAndKeepsItsRowsAcrossARestart) {
  auto dir = fresh_dir("restart");
  Postgres pg({.dir = dir, .port = a_free_port()});
  pg.start(true);
  ASSERT_TRUE(pg.running());
  EXPECT_EQ(pg.query("postgres", "SHOW wal_level"), "logical") << "Debezium needs it";
  pg.ensure_database("shop");
  pg.ensure_database("shop");  // a second time is a no-op, not an error
  pg.query("shop", "CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1), (2), (3)");
  EXPECT_TRUE(pg.stop());
  EXPECT_FALSE(pg.running());
  pg.start(true);
  EXPECT_EQ(pg.query("shop", "SELECT count(*) FROM t"), "3");
  EXPECT_NE(pg.query("postgres", "SELECT current_user"), "root");
  pg.stop();
  fs::remove_all(dir);
}

TEST(LabPostgres, RefusesATakenPortNamingIt) {
  auto port = a_free_port();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  Postgres pg({.dir = fresh_dir("taken"), .port = port});
  try {
    pg.start(true);
    FAIL() << "started on a taken port";
  } catch (const ClusterError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(port)), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
  }
  close(fd);
}

TEST(LabPostgres, AFailedStatementNamesItselfAndTheServersAnswer) {
  auto dir = fresh_dir("error");
  Postgres pg({.dir = dir, .port = a_free_port()});
  pg.start(true);
  try {
    pg.query("postgres", "SELECT * FROM no_such_table");
    FAIL() << "a bad statement returned";
  } catch (const ClusterError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("no_such_table"), std::string::npos) << what;
    EXPECT_NE(what.find("does not exist"), std::string::npos) << what;
  }
  pg.stop();
  fs::remove_all(dir);
}

}  // namespace
