#include "klab/schema/avro_serde.hpp"

#include <avro.h>

#include "klab/client/error.hpp"

namespace klab::schema {
namespace {
using nlohmann::json;

[[noreturn]] void fail(rd_kafka_resp_err_t code, const std::string& what) {
  throw klab::KafkaException(klab::Error(code, what));
}

// An avro-c schema and its generic value class, released together.
struct AvroType {
  avro_schema_t schema = nullptr;
  avro_value_iface_t* iface = nullptr;
  json text;

  explicit AvroType(const std::string& schema_text) {
    if (avro_schema_from_json_length(schema_text.data(), schema_text.size(), &schema) != 0)
      fail(RD_KAFKA_RESP_ERR__INVALID_ARG, std::string("not an Avro schema: ") + avro_strerror());
    iface = avro_generic_class_from_schema(schema);
    text = json::parse(schema_text);
  }
  ~AvroType() {
    if (iface) avro_value_iface_decref(iface);
    if (schema) avro_schema_decref(schema);
  }
  AvroType(const AvroType&) = delete;
  AvroType& operator=(const AvroType&) = delete;
};

// A value of a generic class, released on scope exit.
struct Value {
  avro_value_t v{};
  explicit Value(avro_value_iface_t* iface) { avro_generic_value_new(iface, &v); }
  ~Value() { avro_value_decref(&v); }
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;
};

bool fits(avro_schema_t schema, const json& j) {
  switch (avro_typeof(schema)) {
    case AVRO_NULL:
      return j.is_null();
    case AVRO_STRING:
    case AVRO_ENUM:
      return j.is_string();
    case AVRO_INT32:
    case AVRO_INT64:
      return j.is_number_integer();
    case AVRO_FLOAT:
    case AVRO_DOUBLE:
      return j.is_number();
    case AVRO_BOOLEAN:
      return j.is_boolean();
    case AVRO_RECORD:
    case AVRO_MAP:
      return j.is_object();
    case AVRO_ARRAY:
      return j.is_array();
    default:
      return false;
  }
}

void to_avro(avro_value_t* v, const json& j, const std::string& path) {
  auto mismatch = [&](const char* expected) {
    fail(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION,
         "field " + path + ": expected " + expected + ", got " + j.dump());
  };
  switch (avro_value_get_type(v)) {
    case AVRO_STRING: {
      if (!j.is_string()) mismatch("a string");
      auto s = j.get<std::string>();
      avro_value_set_string_len(v, s.c_str(), s.size() + 1);
      return;
    }
    case AVRO_INT32:
      if (!j.is_number_integer()) mismatch("an int");
      avro_value_set_int(v, j.get<std::int32_t>());
      return;
    case AVRO_INT64:
      if (!j.is_number_integer()) mismatch("a long");
      avro_value_set_long(v, j.get<std::int64_t>());
      return;
    case AVRO_FLOAT:
      if (!j.is_number()) mismatch("a float");
      avro_value_set_float(v, j.get<float>());
      return;
    case AVRO_DOUBLE:
      if (!j.is_number()) mismatch("a double");
      avro_value_set_double(v, j.get<double>());
      return;
    case AVRO_BOOLEAN:
      if (!j.is_boolean()) mismatch("a boolean");
      avro_value_set_boolean(v, j.get<bool>());
      return;
    case AVRO_NULL:
      if (!j.is_null()) mismatch("null");
      avro_value_set_null(v);
      return;
    case AVRO_ENUM: {
      if (!j.is_string()) mismatch("an enum symbol");
      int index =
          avro_schema_enum_get_by_name(avro_value_get_schema(v), j.get<std::string>().c_str());
      if (index < 0) mismatch("one of the enum's symbols");
      avro_value_set_enum(v, index);
      return;
    }
    case AVRO_RECORD: {
      if (!j.is_object()) mismatch("an object");
      size_t n = 0;
      avro_value_get_size(v, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t field;
        const char* name = nullptr;
        avro_value_get_by_index(v, i, &field, &name);
        auto child = path.empty() ? std::string(name) : path + "." + name;
        if (!j.contains(name))
          fail(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, "field " + child + " is missing");
        to_avro(&field, j.at(name), child);
      }
      return;
    }
    case AVRO_ARRAY: {
      if (!j.is_array()) mismatch("an array");
      for (std::size_t i = 0; i < j.size(); ++i) {
        avro_value_t element;
        avro_value_append(v, &element, nullptr);
        to_avro(&element, j[i], path + "[" + std::to_string(i) + "]");
      }
      return;
    }
    case AVRO_MAP: {
      if (!j.is_object()) mismatch("an object (map)");
      for (const auto& [key, item] : j.items()) {
        avro_value_t element;
        avro_value_add(v, key.c_str(), &element, nullptr, nullptr);
        to_avro(&element, item, path + "." + key);
      }
      return;
    }
    case AVRO_UNION: {
      auto schema = avro_value_get_schema(v);
      for (size_t b = 0; b < avro_schema_union_size(schema); ++b) {
        if (!fits(avro_schema_union_branch(schema, b), j)) continue;
        avro_value_t branch;
        avro_value_set_branch(v, static_cast<int>(b), &branch);
        to_avro(&branch, j, path);
        return;
      }
      mismatch("a value of one of the union's branches");
    }
    default:
      fail(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION,
           "field " + path + ": this Avro type is not supported by the lab's serde");
  }
}

json from_avro(avro_value_t* v) {
  switch (avro_value_get_type(v)) {
    case AVRO_STRING: {
      const char* s = nullptr;
      size_t size = 0;
      avro_value_get_string(v, &s, &size);
      return std::string(s, size ? size - 1 : 0);
    }
    case AVRO_INT32: {
      int32_t x = 0;
      avro_value_get_int(v, &x);
      return x;
    }
    case AVRO_INT64: {
      int64_t x = 0;
      avro_value_get_long(v, &x);
      return x;
    }
    case AVRO_FLOAT: {
      float x = 0;
      avro_value_get_float(v, &x);
      return x;
    }
    case AVRO_DOUBLE: {
      double x = 0;
      avro_value_get_double(v, &x);
      return x;
    }
    case AVRO_BOOLEAN: {
      int x = 0;
      avro_value_get_boolean(v, &x);
      return x != 0;
    }
    case AVRO_NULL:
      return nullptr;
    case AVRO_ENUM: {
      int x = 0;
      avro_value_get_enum(v, &x);
      return avro_schema_enum_get(avro_value_get_schema(v), x);
    }
    case AVRO_RECORD:
    case AVRO_MAP: {
      json out = json::object();
      size_t n = 0;
      avro_value_get_size(v, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        const char* name = nullptr;
        avro_value_get_by_index(v, i, &child, &name);
        out[name] = from_avro(&child);
      }
      return out;
    }
    case AVRO_ARRAY: {
      json out = json::array();
      size_t n = 0;
      avro_value_get_size(v, &n);
      for (size_t i = 0; i < n; ++i) {
        avro_value_t child;
        avro_value_get_by_index(v, i, &child, nullptr);
        out.push_back(from_avro(&child));
      }
      return out;
    }
    case AVRO_UNION: {
      avro_value_t branch;
      avro_value_get_current_branch(v, &branch);
      return from_avro(&branch);
    }
    default:
      return nullptr;
  }
}

// Avro's schema resolution for records, on JSON: the reader's fields by name, a missing one
// from its default; nested records likewise.
json resolve(const json& value, const json& writer, const json& reader, const std::string& path) {
  if (!reader.is_object() || reader.value("type", "") != "record" || !value.is_object())
    return value;
  std::map<std::string, json> writer_types;
  if (writer.is_object())
    for (const auto& f : writer.value("fields", json::array()))
      writer_types[f.at("name").get<std::string>()] = f.at("type");
  json out = json::object();
  for (const auto& f : reader.at("fields")) {
    auto name = f.at("name").get<std::string>();
    auto child = path.empty() ? name : path + "." + name;
    if (value.contains(name))
      out[name] = resolve(value.at(name), writer_types[name], f.at("type"), child);
    else if (f.contains("default"))
      out[name] = f.at("default");
    else
      fail(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
           "the reader's field " + child +
               " is not in the writer's schema and has no default: this schema cannot read "
               "these records");
  }
  return out;
}

}  // namespace

std::optional<int> wire_schema_id(std::string_view bytes) {
  if (bytes.size() < 5 || bytes[0] != 0) return std::nullopt;
  auto b = [&](int i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  return static_cast<int>(b(1) << 24 | b(2) << 16 | b(3) << 8 | b(4));
}

struct AvroSerializer::Impl {
  RegistryClient& registry;
  std::string subject;
  std::string schema_text;
  AvroType type;
  int id = 0;
  Impl(RegistryClient& r, std::string s, const std::string& text)
      : registry(r), subject(std::move(s)), schema_text(text), type(text) {}
};

AvroSerializer::AvroSerializer(RegistryClient& registry, std::string subject,
                               const std::string& schema)
    : impl_(std::make_unique<Impl>(registry, std::move(subject), schema)) {}
AvroSerializer::~AvroSerializer() = default;

int AvroSerializer::schema_id() {
  if (impl_->id == 0)
    impl_->id = impl_->registry.register_schema(impl_->subject, impl_->schema_text);
  return impl_->id;
}

std::string AvroSerializer::serialize(const nlohmann::json& record) {
  Value value(impl_->type.iface);
  to_avro(&value.v, record, "");
  size_t size = 0;
  avro_value_sizeof(&value.v, &size);
  int id = schema_id();
  std::string out(5 + size, '\0');
  out[1] = static_cast<char>(id >> 24 & 0xff);
  out[2] = static_cast<char>(id >> 16 & 0xff);
  out[3] = static_cast<char>(id >> 8 & 0xff);
  out[4] = static_cast<char>(id & 0xff);
  avro_writer_t writer = avro_writer_memory(out.data() + 5, static_cast<int64_t>(size));
  int rc = avro_value_write(writer, &value.v);
  avro_writer_free(writer);
  if (rc != 0)
    fail(RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, std::string("avro: ") + avro_strerror());
  return out;
}

struct AvroDeserializer::Impl {
  RegistryClient& registry;
  std::optional<json> reader;
  std::map<int, std::unique_ptr<AvroType>> writers;
  int last_id = 0;
};

AvroDeserializer::AvroDeserializer(RegistryClient& registry, std::optional<std::string> reader)
    : impl_(std::make_unique<Impl>(Impl{registry, std::nullopt, {}, 0})) {
  if (reader) impl_->reader = AvroType(*reader).text;  // parsed by avro: a valid schema
}
AvroDeserializer::~AvroDeserializer() = default;

int AvroDeserializer::last_schema_id() const { return impl_->last_id; }

nlohmann::json AvroDeserializer::deserialize(std::string_view bytes) {
  auto id = wire_schema_id(bytes);
  if (!id)
    fail(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
         "not in the schema registry's wire format (magic byte 0 and a 4-byte schema id)");
  auto& writer = impl_->writers[*id];
  if (!writer) writer = std::make_unique<AvroType>(impl_->registry.schema_by_id(*id));
  Value value(writer->iface);
  avro_reader_t reader =
      avro_reader_memory(bytes.data() + 5, static_cast<int64_t>(bytes.size() - 5));
  int rc = avro_value_read(reader, &value.v);
  avro_reader_free(reader);
  if (rc != 0)
    fail(RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION,
         "schema id " + std::to_string(*id) + ": " + avro_strerror());
  impl_->last_id = *id;
  auto as_written = from_avro(&value.v);
  return impl_->reader ? resolve(as_written, writer->text, *impl_->reader, "") : as_written;
}

}  // namespace klab::schema
