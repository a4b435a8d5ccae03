#pragma once
#include <cstdint>
#include <optional>

namespace klab::cluster {

/// True when a listener could bind 127.0.0.1:port right now.
bool port_free(std::uint16_t port);

/// A first client port p in [low, high) such that p..p+count-1 and the matching controller,
/// metrics and secured-listener ports (defaults.hpp offsets) are all free; nullopt if none is
/// found. Test clusters use it to avoid collisions. The default range stays below Linux's ephemeral
/// ports (32768+): a client's outgoing connection could otherwise hold a restarted broker's port.
std::optional<std::uint16_t> find_free_port_block(int count, std::uint16_t low = 20000,
                                                  std::uint16_t high = 32600);

}  // namespace klab::cluster
