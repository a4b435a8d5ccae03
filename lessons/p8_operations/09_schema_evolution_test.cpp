// 8.1.2 Schema evolution on a real registry (Apicurio, its Confluent-compatible API): what each
// compatibility mode accepts, a refused registration's 409, and records of one schema version
// read by consumers of another through the Avro serde in the Confluent wire format.
#include <gtest/gtest.h>

#include <iostream>

#include "klab/client/producer.hpp"
#include "klab/client/read_to_end.hpp"
#include "klab/schema/avro_serde.hpp"
#include "klab/schema/registry_client.hpp"
#include "klab/testing/test_cluster.hpp"
#include "klab/testing/topology.hpp"

namespace {
using namespace std::chrono_literals;
using klab::cluster::scaled;
using klab::schema::RegistryClient;
using klab::schema::RegistryError;
using klab::testing::cluster;
using klab::testing::unique_name;
using nlohmann::json;

std::string record_schema(const std::vector<json>& fields) {
  return json{{"type", "record"}, {"name", "Order"}, {"namespace", "lab.shop"}, {"fields", fields}}
      .dump();
}
const json id = {{"name", "id"}, {"type", "string"}};
const json amount = {{"name", "amount"}, {"type", "int"}};
const json currency_default = {{"name", "currency"}, {"type", "string"}, {"default", "KRW"}};
const json currency_required = {{"name", "currency"}, {"type", "string"}};
const json note_required = {{"name", "note"}, {"type", "string"}};

RegistryClient registry() {
  if (cluster().registry_url().empty())
    throw std::runtime_error("no schema registry: KLAB_REGISTRY_URL for an external cluster");
  return RegistryClient(cluster().registry_url());
}

struct Change {
  const char* name;
  std::string from, to;
};

TEST(P8Schema, EachCompatibilityModeAcceptsOnlyTheChangesItPromisesToRead) {
  KLAB_ROADMAP("8.1.2");
  auto client = registry();
  const std::vector<Change> changes{
      {"add a field with a default", record_schema({id, amount}),
       record_schema({id, amount, currency_default})},
      {"add a field without a default", record_schema({id, amount}),
       record_schema({id, amount, currency_required})},
      {"remove a field without a default", record_schema({id, amount, note_required}),
       record_schema({id, amount})},
  };
  const std::vector<std::string> modes{"BACKWARD", "BACKWARD_TRANSITIVE",
                                       "FORWARD",  "FORWARD_TRANSITIVE",
                                       "FULL",     "FULL_TRANSITIVE"};
  // BACKWARD: the new schema reads old records; FORWARD: the old schema reads new records;
  // FULL: both. With two versions a mode and its TRANSITIVE variant agree.
  const std::map<std::string, std::vector<bool>> expected{
      {"add a field with a default", {true, true, true, true, true, true}},
      {"add a field without a default", {false, false, true, true, false, false}},
      {"remove a field without a default", {true, true, false, false, false, false}},
  };
  for (const auto& change : changes) {
    std::cout << change.name << ":";
    for (std::size_t m = 0; m < modes.size(); ++m) {
      auto subject = unique_name("compat");
      client.register_schema(subject, change.from);
      client.set_compatibility(subject, modes[m]);
      bool accepted = true;
      try {
        client.register_schema(subject, change.to);
      } catch (const RegistryError& e) {
        EXPECT_EQ(e.status(), 409) << e.what();
        accepted = false;
      }
      std::cout << " " << modes[m] << (accepted ? " ✔" : " ✘");
      EXPECT_EQ(accepted, expected.at(change.name)[m]) << change.name << " under " << modes[m];
      EXPECT_EQ(client.versions(subject).size(), accepted ? 2u : 1u)
          << "a refused schema is not a version";
    }
    std::cout << "\n";
  }
}

TEST(P8Schema, AThreeVersionChainSeparatesBackwardFromBackwardTransitive) {
  KLAB_ROADMAP("8.1.2");
  auto client = registry();
  // v2 gives b a default, v3 takes it away: v3 reads v2's records (they carry b) but not v1's.
  const auto v1 = record_schema({id});
  const auto v2 = record_schema({id, {{"name", "b"}, {"type", "string"}, {"default", "x"}}});
  const auto v3 = record_schema({id, {{"name", "b"}, {"type", "string"}}});
  std::map<std::string, int> status;
  for (std::string mode : {"BACKWARD", "BACKWARD_TRANSITIVE"}) {
    auto subject = unique_name("chain");
    client.register_schema(subject, v1);
    client.set_compatibility(subject, mode);
    client.register_schema(subject, v2);
    try {
      client.register_schema(subject, v3);
      status[mode] = 200;
    } catch (const RegistryError& e) {
      status[mode] = e.status();
    }
  }
  std::cout << "v3 under BACKWARD: " << status["BACKWARD"]
            << ", under BACKWARD_TRANSITIVE: " << status["BACKWARD_TRANSITIVE"] << "\n";
  EXPECT_EQ(status["BACKWARD"], 200) << "checked against v2 only";
  EXPECT_EQ(status["BACKWARD_TRANSITIVE"], 409) << "checked against v1 too";
}

std::vector<json> read_as(const std::string& topic, klab::schema::AvroDeserializer& reader) {
  std::vector<json> out;
  klab::client::read_to_end(cluster().client_config(), topic, [&](const klab::client::Record& r) {
    out.push_back(reader.deserialize(*r.value()));
  });
  return out;
}

TEST(P8Schema, OldAndNewConsumersReadEachOthersRecordsWhereTheModePromisesAndNowhereElse) {
  KLAB_ROADMAP("8.1.2");
  auto client = registry();
  auto topic = unique_name("orders");
  klab::testing::create_topic(topic, 1, 1);
  const auto subject = topic + "-value";  // Kafka's TopicNameStrategy
  const auto v1 = record_schema({id, amount});
  const auto v2 = record_schema({id, amount, currency_default});
  client.register_schema(subject, v1);
  client.set_compatibility(subject, "FULL");

  klab::client::Producer producer(cluster().client_config().acks("all"));
  klab::schema::AvroSerializer old_writer(client, subject, v1), new_writer(client, subject, v2);
  auto old_bytes = old_writer.serialize({{"id", "o-1"}, {"amount", 100}});
  auto new_bytes = new_writer.serialize({{"id", "o-2"}, {"amount", 200}, {"currency", "USD"}});
  EXPECT_EQ(klab::schema::wire_schema_id(old_bytes), old_writer.schema_id());
  EXPECT_NE(old_writer.schema_id(), new_writer.schema_id());
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = "o-1", .value = old_bytes}, scaled(30s)).error);
  ASSERT_FALSE(
      producer.send_sync({.topic = topic, .key = "o-2", .value = new_bytes}, scaled(30s)).error);
  std::cout << "v1 record: " << old_bytes.size() << " bytes, v2 record: " << new_bytes.size()
            << " bytes (5 of them magic byte and schema id)\n";

  klab::schema::AvroDeserializer old_reader(client, v1), new_reader(client, v2);
  auto seen_by_old = read_as(topic, old_reader);
  auto seen_by_new = read_as(topic, new_reader);
  std::cout << "old consumer: " << json(seen_by_old).dump()
            << "\nnew consumer: " << json(seen_by_new).dump() << "\n";
  ASSERT_EQ(seen_by_old.size(), 2u);
  EXPECT_EQ(seen_by_old[1], (json{{"id", "o-2"}, {"amount", 200}}))
      << "FORWARD: the old schema skips the field it does not know";
  ASSERT_EQ(seen_by_new.size(), 2u);
  EXPECT_EQ(seen_by_new[0], (json{{"id", "o-1"}, {"amount", 100}, {"currency", "KRW"}}))
      << "BACKWARD: the new schema fills the default";

  // A reader whose new field has no default cannot read v1's records.
  klab::schema::AvroDeserializer strict(client, record_schema({id, amount, currency_required}));
  try {
    read_as(topic, strict);
    FAIL() << "a reader without a default read a record that lacks the field";
  } catch (const klab::KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION);
    EXPECT_NE(e.error().message().find("currency is not in the writer's schema"), std::string::npos)
        << e.error().message();
  }
  // The registry keeps such a reader out only when it checks every version: FULL compares with
  // the latest (v2, whose currency has a default) and lets it in; FULL_TRANSITIVE compares with
  // v1 as well and refuses it.
  const auto v3 = record_schema({id, amount, currency_required});
  client.set_compatibility(subject, "FULL_TRANSITIVE");
  try {
    client.register_schema(subject, v3);
    FAIL() << "FULL_TRANSITIVE registered a schema that cannot read v1";
  } catch (const RegistryError& e) {
    EXPECT_EQ(e.status(), 409);
    std::cout << "FULL_TRANSITIVE refused: " << e.what() << "\n";
  }
  client.set_compatibility(subject, "FULL");
  EXPECT_NO_THROW(client.register_schema(subject, v3)) << "FULL checks against v2 only";
  EXPECT_EQ(client.versions(subject).size(), 3u);
}

}  // namespace
