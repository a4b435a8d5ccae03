#include "klab/cluster/raw_request.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace klab::cluster {

RawReply send_raw(const std::string& host, std::uint16_t port, const std::string& bytes,
                  std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return RawReply::refused;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return RawReply::refused;
  }
  RawReply reply = RawReply::silent;
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0) {
    reply = RawReply::closed;
  } else {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
      char buf[256];
      auto n = ::recv(fd, buf, sizeof buf, 0);
      reply = n > 0 ? RawReply::answered : RawReply::closed;  // 0: EOF; < 0: reset
    }
  }
  ::close(fd);
  return reply;
}

const char* to_string(RawReply reply) {
  switch (reply) {
    case RawReply::closed:
      return "connection closed";
    case RawReply::answered:
      return "answered";
    case RawReply::silent:
      return "no answer";
    case RawReply::refused:
      return "connection refused";
  }
  return "?";
}

std::int64_t claimed_size(const std::string& bytes) {
  std::int64_t size = 0;
  for (std::size_t i = 0; i < 4 && i < bytes.size(); ++i)
    size = (size << 8) | static_cast<unsigned char>(bytes[i]);
  return size >= (std::int64_t{1} << 31) ? size - (std::int64_t{1} << 32) : size;
}

}  // namespace klab::cluster
