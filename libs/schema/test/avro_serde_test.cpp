// The serde's own checks, without a registry: the wire format and every refusal that happens
// before a registry is asked.
#include "klab/schema/avro_serde.hpp"

#include <gtest/gtest.h>

#include "klab/client/error.hpp"

namespace {
using klab::schema::AvroDeserializer;
using klab::schema::AvroSerializer;
using klab::schema::RegistryClient;
using klab::schema::RegistryError;

const std::string order_v1 = R"({"type":"record","name":"Order","fields":[
  {"name":"id","type":"string"},{"name":"amount","type":"int"},
  {"name":"note","type":["null","string"],"default":null}]})";

rd_kafka_resp_err_t code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const klab::KafkaException& e) {
    return e.error().code();
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

TEST(WireFormat, TheSchemaIdIsTheFourBigEndianBytesAfterTheMagicZero) {
  EXPECT_EQ(klab::schema::wire_schema_id(std::string("\0\0\0\1\x2a", 5) + "payload"), 298);
  EXPECT_EQ(klab::schema::wire_schema_id(std::string("\1\0\0\0\1", 5)), std::nullopt);
  EXPECT_EQ(klab::schema::wire_schema_id(std::string("\0\0\0", 3)), std::nullopt);
  EXPECT_EQ(klab::schema::wire_schema_id("{\"id\":1}"), std::nullopt) << "plain JSON";
}

TEST(AvroSerde, ARecordThatDoesNotFitTheSchemaIsRefusedNamingTheField) {
  RegistryClient nowhere("http://127.0.0.1:1/apis/ccompat/v7");
  AvroSerializer serializer(nowhere, "orders-value", order_v1);
  try {
    serializer.serialize({{"id", "o-1"}, {"amount", "ten"}, {"note", nullptr}});
    FAIL() << "a string amount was accepted";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION);
    EXPECT_NE(e.error().message().find("field amount: expected an int"), std::string::npos)
        << e.error().message();
  }
  EXPECT_EQ(code_of([&] {
              serializer.serialize({{"id", "o-1"}, {"note", nullptr}});
            }),
            RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION)
      << "amount is missing";
}

TEST(AvroSerde, AnInvalidSchemaOrAnUnreachableRegistryIsAClearError) {
  RegistryClient nowhere("http://127.0.0.1:1/apis/ccompat/v7");
  EXPECT_EQ(code_of([&] { AvroSerializer(nowhere, "s", R"({"type":"recrd"})"); }),
            RD_KAFKA_RESP_ERR__INVALID_ARG);
  AvroSerializer serializer(nowhere, "orders-value", order_v1);
  try {
    serializer.serialize({{"id", "o-1"}, {"amount", 10}, {"note", "gift"}});
    FAIL() << "serialized without a registry";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 0);
    EXPECT_NE(std::string(e.what()).find("cannot be reached"), std::string::npos) << e.what();
  }
  EXPECT_THROW(RegistryClient("localhost:8085"), RegistryError);
}

TEST(AvroSerde, BytesWithoutTheMagicByteAreNotDeserialized) {
  RegistryClient nowhere("http://127.0.0.1:1/apis/ccompat/v7");
  AvroDeserializer deserializer(nowhere);
  EXPECT_EQ(code_of([&] { deserializer.deserialize(R"({"id":"o-1"})"); }),
            RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
}

}  // namespace
