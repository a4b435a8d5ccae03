#pragma once
// Avro records in the Confluent wire format: byte 0 is the magic 0, bytes 1-4 the schema id
// (big-endian), then the Avro binary encoding. The serializer registers its schema under a
// subject (Kafka's convention: "<topic>-value"); the deserializer fetches the writer's schema
// by the id in the record and resolves it to the reader's schema, as Avro's rules say: fields
// matched by name, a reader field the writer lacks takes its default, writer fields the reader
// lacks are skipped.
//
// Records are nlohmann::json objects. Supported Avro types: record, string, int, long, float,
// double, boolean, null, enum, array, map, and unions (a value picks the first branch it fits;
// null picks "null"). No aliases, fixed, bytes or logical types.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "klab/schema/registry_client.hpp"

namespace klab::schema {

class AvroSerializer {
 public:
  /// Parses `schema` and registers it under `subject` on first use.
  /// Errors: KafkaException _INVALID_ARG with avro's reason for an invalid schema.
  AvroSerializer(RegistryClient& registry, std::string subject, const std::string& schema);
  ~AvroSerializer();
  AvroSerializer(const AvroSerializer&) = delete;
  AvroSerializer& operator=(const AvroSerializer&) = delete;
  /// The record's bytes in the wire format.
  /// Errors: KafkaException _VALUE_SERIALIZATION naming the field that does not fit the schema;
  /// RegistryError from the registration (409 when the subject's compatibility refuses).
  std::string serialize(const nlohmann::json& record);
  /// The id the registry gave the schema (registers it if that did not happen yet).
  int schema_id();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class AvroDeserializer {
 public:
  /// `reader_schema`: the schema this application reads with; nullopt reads each record with
  /// its writer's schema. Errors: KafkaException _INVALID_ARG for an invalid schema.
  explicit AvroDeserializer(RegistryClient& registry,
                            std::optional<std::string> reader_schema = std::nullopt);
  ~AvroDeserializer();
  AvroDeserializer(const AvroDeserializer&) = delete;
  AvroDeserializer& operator=(const AvroDeserializer&) = delete;
  /// The record as JSON in the reader's shape.
  /// Errors: KafkaException _VALUE_DESERIALIZATION: no magic byte 0 or shorter than 5 bytes,
  /// bytes that do not decode with the writer's schema, a reader field the writer lacks
  /// without a default; RegistryError 404 for an unknown schema id.
  nlohmann::json deserialize(std::string_view bytes);
  /// The schema id of the last record deserialized (0 before the first).
  int last_schema_id() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The schema id of a value in the wire format, or nullopt when it does not start with the
/// magic byte 0 and 4 more bytes. Errors: none.
std::optional<int> wire_schema_id(std::string_view bytes);

}  // namespace klab::schema
