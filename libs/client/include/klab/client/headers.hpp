#pragma once
// Record headers: an ordered list of (key, value) pairs where keys may repeat and a value may be
// null (distinct from empty), as in Kafka's protocol.
#include <librdkafka/rdkafka.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/detail/handles.hpp"

namespace klab::client {

struct Header {
  std::string key;
  std::optional<std::string> value;  ///< nullopt is a null value; "" is an empty one
  friend bool operator==(const Header&, const Header&) = default;
};

class Headers {
 public:
  using const_iterator = std::vector<Header>::const_iterator;

  Headers() = default;
  Headers(std::initializer_list<Header> headers) : headers_(headers) {}

  /// Appends a header (earlier ones with the same key stay). Errors: none.
  Headers& add(std::string key, std::optional<std::string> value);
  /// The last header with `key` (Kafka's lastHeader), or nullptr. Errors: none.
  const Header* last(std::string_view key) const;
  /// Every header with `key`, in order. Errors: none.
  std::vector<Header> all(std::string_view key) const;
  /// Removes every header with `key`; returns how many. Errors: none.
  std::size_t remove(std::string_view key);

  std::size_t size() const noexcept { return headers_.size(); }
  bool empty() const noexcept { return headers_.empty(); }
  const_iterator begin() const noexcept { return headers_.begin(); }
  const_iterator end() const noexcept { return headers_.end(); }
  const Header& operator[](std::size_t i) const { return headers_[i]; }

  /// Copies librdkafka headers (nullptr gives an empty list). Errors: none.
  static Headers from_native(const rd_kafka_headers_t* headers);
  /// A new librdkafka header list with copies of these headers. Errors: none.
  detail::HeadersPtr to_native() const;

  friend bool operator==(const Headers&, const Headers&) = default;

 private:
  std::vector<Header> headers_;
};

}  // namespace klab::client
