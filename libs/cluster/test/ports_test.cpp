#include "klab/cluster/ports.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

TEST(PortCheck, PortHeldByAListenerIsNotFree) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;  // the kernel picks a free port
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto port = ntohs(addr.sin_port);
  EXPECT_FALSE(klab::cluster::port_free(port));
  close(fd);
  EXPECT_TRUE(klab::cluster::port_free(port));
}

TEST(PortCheck, FreeBlockCoversClientControllerAndMetricsPorts) {
  auto first = klab::cluster::find_free_port_block(3);
  ASSERT_TRUE(first.has_value());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(klab::cluster::port_free(*first + i));
    EXPECT_TRUE(klab::cluster::port_free(*first + i + 100));
    EXPECT_TRUE(klab::cluster::port_free(*first + i + 200));
  }
}

}  // namespace
