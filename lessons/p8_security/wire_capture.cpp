#include "wire_capture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace klab::lessons {
namespace {

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  return a;
}

}  // namespace

WireCapture::WireCapture(std::uint16_t target_port) : target_port_(target_port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto addr = loopback(0);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("WireCapture: cannot listen on 127.0.0.1");
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

WireCapture::~WireCapture() {
  stop_ = true;
  shutdown(listen_fd_, SHUT_RDWR);
  acceptor_.join();
  for (auto& t : threads_) t.join();
  close(listen_fd_);
}

std::string WireCapture::address() const { return "127.0.0.1:" + std::to_string(port_); }

std::string WireCapture::client_bytes() const {
  std::lock_guard lock(mu_);
  return sent_;
}

void WireCapture::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int broker = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto target = loopback(target_port_);
    if (connect(broker, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
      close(client);
      close(broker);
      continue;
    }
    threads_.emplace_back([this, client, broker] { relay(client, broker); });
  }
}

// Both directions in one thread: poll, copy, and keep what the client sent.
void WireCapture::relay(int client, int broker) {
  char buf[16384];
  pollfd fds[2] = {{client, POLLIN, 0}, {broker, POLLIN, 0}};
  while (!stop_) {
    if (poll(fds, 2, 100) <= 0) continue;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        closed = true;
        break;
      }
      if (i == 0) {
        std::lock_guard lock(mu_);
        sent_.append(buf, static_cast<std::size_t>(n));
      }
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(fds[1 - i].fd, buf + off, static_cast<std::size_t>(n - off));
        if (w <= 0) {
          closed = true;
          break;
        }
        off += w;
      }
    }
    if (closed) break;
  }
  close(client);
  close(broker);
}

}  // namespace klab::lessons
