#include "klab/cluster/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "klab/cluster/defaults.hpp"

namespace klab::cluster {

bool port_free(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  // Kafka binds with SO_REUSEADDR too, so TIME_WAIT leftovers of a stopped lab do not count.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, defaults::host, &addr.sin_addr);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd, 1) == 0;
  close(fd);
  return ok;
}

std::optional<std::uint16_t> find_free_port_block(int count, std::uint16_t low,
                                                  std::uint16_t high) {
  std::mt19937 rng(std::random_device{}());
  // Metrics ports are the highest of the three per node (see defaults.hpp).
  static_assert(defaults::metrics_port_offset > defaults::controller_port_offset);
  std::uniform_int_distribution<int> pick(low, high - count - defaults::metrics_port_offset);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto first = static_cast<std::uint16_t>(pick(rng));
    bool ok = true;
    for (int i = 0; i < count && ok; ++i)
      for (int offset :
           {0, int(defaults::sasl_ssl_port_offset), int(defaults::mtls_port_offset),
            int(defaults::internal_port_offset), int(defaults::via_proxy_port_offset),
            int(defaults::fault_proxy_port_offset), int(defaults::fault_proxy_api_offset),
            int(defaults::controller_port_offset), int(defaults::metrics_port_offset)})
        ok = ok && port_free(first + i + offset);
    if (ok) return first;
  }
  return std::nullopt;
}

}  // namespace klab::cluster
