#pragma once
// The lab's default addresses. docker-compose.yml must publish the same client ports
// (a test compares them), so a learner can switch between the two without changes.
#include <cstdint>
#include <string>

namespace klab::cluster::defaults {

/// Client (PLAINTEXT) port of node 1; node N listens on first_client_port + N - 1.
inline constexpr std::uint16_t first_client_port = 9092;
/// The KRaft CONTROLLER listener of a node is its client port plus this offset.
inline constexpr std::uint16_t controller_port_offset = 100;
/// A node's Prometheus JMX exporter (kafka/config/jmx-exporter.yaml) listens on its client port
/// plus this offset: 9292..9294 for the lab.
inline constexpr std::uint16_t metrics_port_offset = 200;
/// A secured lab (`klab up --secure`) serves SASL_PLAINTEXT on the client port, and beside it:
/// SASL_SSL on client port + 10, SSL with client certificates (mTLS) on + 20, and the brokers'
/// own authenticated (mTLS) listener on + 30.
inline constexpr std::uint16_t sasl_ssl_port_offset = 10;
inline constexpr std::uint16_t mtls_port_offset = 20;
inline constexpr std::uint16_t internal_port_offset = 30;
/// A plaintext lab's nodes also listen on client port + 40 (listener VIA_PROXY) and advertise
/// it as client port + 50, where a TCP fault proxy (Toxiproxy, started only by what needs it)
/// forwards to + 40: clients that bootstrap at the + 50 ports reach every broker through the
/// proxy, so latency or a black hole can be put between them and one broker (roadmap 7.3.4).
/// The proxy's own HTTP API is on node 1's client port + 60.
inline constexpr std::uint16_t via_proxy_port_offset = 40;
inline constexpr std::uint16_t fault_proxy_port_offset = 50;
inline constexpr std::uint16_t fault_proxy_api_offset = 60;
/// Nodes started by `klab up` when --nodes is not given.
inline constexpr int nodes = 3;
/// Loopback only: the lab never listens on other interfaces.
inline constexpr const char* host = "127.0.0.1";
/// Port of the lab's web console (issue: console).
inline constexpr std::uint16_t console_port = 8080;

inline std::string bootstrap_for(int node_count, std::uint16_t first_port = first_client_port) {
  std::string out;
  for (int i = 0; i < node_count; ++i) {
    if (i) out += ',';
    out += std::string(host) + ':' + std::to_string(first_port + i);
  }
  return out;
}

}  // namespace klab::cluster::defaults
