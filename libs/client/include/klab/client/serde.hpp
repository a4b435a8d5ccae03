#pragma once
// Serializers turn a typed key or value into the bytes Kafka stores; deserializers turn bytes
// back. Kafka itself only sees bytes, so this is where a schema lives, and where bad data is
// caught. A failure is a Result carrying librdkafka's _*_SERIALIZATION codes, not an exception:
// one bad record is an expected outcome the caller decides about (skip, dead-letter, stop).
#include <concepts>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "klab/client/error.hpp"
#include "klab/client/record.hpp"
#include "klab/client/result.hpp"

namespace klab::client {

/// Turns a T into bytes. A null key or value never reaches a serializer (std::nullopt is sent
/// as null), so serialize() always has a value to work on.
template <typename S, typename T>
concept Serializer = requires(const S& s, const T& v) {
  { s.serialize(v) } -> std::same_as<Result<std::string>>;
};

/// Turns bytes into a T. `bytes` is nullopt for a null key or a tombstone value: the
/// deserializer decides whether that is a valid T.
template <typename D, typename T>
concept Deserializer = requires(const D& d, std::optional<std::string_view> bytes) {
  { d.deserialize(bytes) } -> std::same_as<Result<T>>;
};

// Serdes report _VALUE_* codes: a serde cannot know whether it is working on a key. Whoever
// knows (TypedProducer, deserialize_key) relabels with as_key_error().

/// std::string as its bytes, unchanged (no UTF-8 check: Kafka strings are just bytes).
struct StringSerde {
  /// Errors: none.
  Result<std::string> serialize(const std::string& v) const;
  /// Errors: _VALUE_DESERIALIZATION when `bytes` is null (a null key or a tombstone), since a
  /// std::string cannot tell null from empty.
  Result<std::string> deserialize(std::optional<std::string_view> bytes) const;
};

/// Raw bytes, unchanged.
struct BytesSerde {
  /// Errors: none.
  Result<std::string> serialize(const std::vector<std::byte>& v) const;
  /// Errors: _VALUE_DESERIALIZATION when `bytes` is null, as for StringSerde.
  Result<std::vector<std::byte>> deserialize(std::optional<std::string_view> bytes) const;
};

template <typename T>
struct JsonSerde;  // json_serde.hpp

/// The serde TypedProducer and deserialize_value/_key use when none is given: StringSerde for
/// std::string, BytesSerde for std::vector<std::byte>, JsonSerde<T> (include json_serde.hpp)
/// for everything else. Specialize it to make your own serde the default for your type.
template <typename T>
struct DefaultSerde {
  using type = JsonSerde<T>;
};
template <>
struct DefaultSerde<std::string> {
  using type = StringSerde;
};
template <>
struct DefaultSerde<std::vector<std::byte>> {
  using type = BytesSerde;
};
template <typename T>
using default_serde_t = typename DefaultSerde<T>::type;

/// The same error, said about a key: _VALUE_SERIALIZATION becomes _KEY_SERIALIZATION,
/// _VALUE_DESERIALIZATION becomes _KEY_DESERIALIZATION (other codes stay) and the message gets
/// a "key: " prefix. A no-error Error stays as it is. Errors: none.
Error as_key_error(const Error& error);

/// Deserializes `r`'s value (nullopt for a tombstone) with `d`.
/// Errors: the record's own error() when `r` is a consumer error event (its bytes mean
/// nothing); otherwise whatever `d` reports, typically _VALUE_DESERIALIZATION.
template <typename T, typename D = default_serde_t<T>>
requires Deserializer<D, T> Result<T> deserialize_value(const Record& r, const D& d = {}) {
  if (r.error()) return r.error();
  return d.deserialize(r.value());
}

/// Deserializes `r`'s key (nullopt for a null key) with `d`.
/// Errors: the record's own error() for a consumer error event; otherwise `d`'s error passed
/// through as_key_error(), typically _KEY_DESERIALIZATION with a "key: " message.
template <typename T, typename D = default_serde_t<T>>
requires Deserializer<D, T> Result<T> deserialize_key(const Record& r, const D& d = {}) {
  if (r.error()) return r.error();
  auto key = d.deserialize(r.key());
  if (!key) return as_key_error(key.error());
  return key;
}

namespace detail {
/// Up to `max` bytes of `bytes` for an error message: printable ASCII as is, the rest as \xNN,
/// then "... (N bytes)" when cut. "null" for nullopt. Errors: none.
std::string preview_bytes(std::optional<std::string_view> bytes, std::size_t max = 80);
}  // namespace detail

}  // namespace klab::client
