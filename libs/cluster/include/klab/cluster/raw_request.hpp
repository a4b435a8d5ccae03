#pragma once
// Bytes written straight to a broker's port, as a misdirected client does: an HTTP health check
// or a TLS handshake sent to a PLAINTEXT listener (roadmap 7.3.3).
#include <chrono>
#include <cstdint>
#include <string>

namespace klab::cluster {

enum class RawReply { closed, answered, silent, refused };

/// "connection closed", "answered", "no answer", "connection refused". Errors: none.
const char* to_string(RawReply reply);

/// What a load balancer's HTTP health check writes when it is aimed at a Kafka port: read as a
/// Kafka request, its first four bytes ("GET ") claim 1,195,725,856 bytes.
inline const std::string http_health_check = "GET /health HTTP/1.1\r\nHost: kafka\r\n\r\n";

/// Connects to host:port, writes `bytes` and waits up to `timeout` for the broker's reaction:
/// closed (EOF or reset: it dropped the connection), answered (it sent bytes back), silent
/// (nothing in time), refused (nothing listens). Errors: none.
RawReply send_raw(const std::string& host, std::uint16_t port, const std::string& bytes,
                  std::chrono::milliseconds timeout);

/// The request size a Kafka broker reads from the first four bytes (big-endian int32).
std::int64_t claimed_size(const std::string& bytes);

}  // namespace klab::cluster
