#pragma once
// A loopback TCP relay that records what clients send: enough to look at a SASL exchange
// without tcpdump or root. Only connections made to its own port pass through it (a client's
// bootstrap connection); later connections go to the advertised broker addresses directly.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace klab::lessons {

class WireCapture {
 public:
  /// Listens on 127.0.0.1 (a free port) and relays each connection to 127.0.0.1:target_port.
  explicit WireCapture(std::uint16_t target_port);
  ~WireCapture();
  WireCapture(const WireCapture&) = delete;
  WireCapture& operator=(const WireCapture&) = delete;

  std::string address() const;  ///< "127.0.0.1:<port>" to use as bootstrap.servers
  /// Every byte clients sent so far, connections concatenated in order of arrival.
  std::string client_bytes() const;

 private:
  void accept_loop();
  void relay(int client, int broker);

  std::uint16_t target_port_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::string sent_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace klab::lessons
