#pragma once
// A RecordListener of typed values: decodes each record's value with a client deserializer and
// hands the V to your function; a value that does not decode becomes a DeserializationException,
// which the container dead-letters without retrying.
#include <functional>
#include <utility>

#include "klab/client/json_serde.hpp"
#include "klab/client/serde.hpp"
#include "klab/framework/listener/deserialization_exception.hpp"
#include "klab/framework/listener/listener_container.hpp"

namespace klab::framework {

/// Wraps `listener` (called with the decoded value and the usual context) into a RecordListener.
/// The default deserializer is client::default_serde_t<V>: StringSerde for std::string,
/// BytesSerde for bytes, JsonSerde<V> otherwise.
/// Errors (thrown by the returned listener, handled by the container): DeserializationException
/// carrying the deserializer's Error (e.g. _VALUE_DESERIALIZATION for bad JSON or a
/// tombstone); whatever `listener` throws.
template <typename V, typename ValueDeserializer = client::default_serde_t<V>>
requires client::Deserializer<ValueDeserializer, V> RecordListener
typed_listener(std::function<void(const V&, const ListenerContext&)> listener,
               ValueDeserializer deserializer = {}) {
  return [listener = std::move(listener),
          deserializer = std::move(deserializer)](const ListenerContext& ctx) {
    auto value = client::deserialize_value<V>(ctx.record, deserializer);
    if (!value) throw DeserializationException(value.error(), ctx.record);
    listener(value.value(), ctx);
  };
}

}  // namespace klab::framework
