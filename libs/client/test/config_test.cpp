// Config: values are validated by librdkafka when set, typed setters map to librdkafka's words,
// properties files load with errors that point at the line.
#include "klab/client/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "klab/client/consumer.hpp"
#include "klab/client/producer.hpp"

namespace {
namespace fs = std::filesystem;
using klab::KafkaException;
using klab::client::Config;
using testing::HasSubstr;
using testing::Not;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const KafkaException& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a KafkaException";
  return {};
}

// A file in a fresh temporary folder, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "klab-client-test-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    path_ = dir_ / "client.properties";
    std::ofstream(path_) << text;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path dir_, path_;
};

TEST(ClientConfig, UnknownKeyThrowsAndNamesTheKey) {
  Config c;
  auto what = message_of([&] { c.set("bootstrap.servrs", "localhost:9092"); });
  EXPECT_THAT(what, HasSubstr("bootstrap.servrs"));
  EXPECT_THAT(what, HasSubstr("unknown configuration property"));
  try {
    c.set("no.such.key", "1");
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__INVALID_ARG);
  }
}

TEST(ClientConfig, InvalidValueNamesKeyValueAndLibrdkafkasReason) {
  Config c;
  auto what = message_of([&] { c.set("acks", "banana"); });
  EXPECT_THAT(what, HasSubstr("'acks'"));
  EXPECT_THAT(what, HasSubstr("'banana'"));
  EXPECT_THAT(what, HasSubstr("Invalid value"));  // librdkafka's own words
  EXPECT_FALSE(c.get("acks")) << "a rejected value is not kept";
}

TEST(ClientConfig, RejectedSecretIsRedactedInTheError) {
  Config c;
  auto what = message_of([&] { c.set("sasl.password.typo", "hunter2"); });
  EXPECT_THAT(what, HasSubstr("sasl.password.typo"));
  EXPECT_THAT(what, Not(HasSubstr("hunter2")));
}

TEST(ClientConfig, TypedSettersWriteLibrdkafkasValues) {
  using namespace klab::client;
  Config c;
  c.bootstrap_servers("a:1,b:2")
      .client_id("me")
      .group_id("g")
      .acks(Acks::leader)
      .enable_idempotence(false)
      .linger_ms(7)
      .batch_size(4096)
      .compression_type(CompressionType::zstd)
      .auto_offset_reset(OffsetReset::none)
      .enable_auto_commit(false)
      .isolation_level(IsolationLevel::read_uncommitted)
      .statistics_interval_ms(1000)
      .delivery_timeout_ms(2500)
      .session_timeout_ms(6000)
      .transactional_id("tx")
      .debug("broker,msg");
  EXPECT_EQ(c.get(keys::bootstrap_servers), "a:1,b:2");
  EXPECT_EQ(c.get(keys::client_id), "me");
  EXPECT_EQ(c.get(keys::group_id), "g");
  EXPECT_EQ(c.get(keys::acks), "1");
  EXPECT_EQ(c.get(keys::enable_idempotence), "false");
  EXPECT_EQ(c.get(keys::linger_ms), "7");
  EXPECT_EQ(c.get(keys::batch_size), "4096");
  EXPECT_EQ(c.get(keys::compression_type), "zstd");
  EXPECT_EQ(c.get(keys::auto_offset_reset), "error") << "librdkafka spells Java's none 'error'";
  EXPECT_EQ(c.get(keys::enable_auto_commit), "false");
  EXPECT_EQ(c.get(keys::isolation_level), "read_uncommitted");
  EXPECT_EQ(c.get(keys::statistics_interval_ms), "1000");
  EXPECT_EQ(c.get(keys::message_timeout_ms), "2500") << "delivery.timeout.ms is its alias";
  EXPECT_EQ(c.get(keys::session_timeout_ms), "6000");
  EXPECT_EQ(c.get(keys::transactional_id), "tx");
  EXPECT_EQ(c.get(keys::debug), "broker,msg");
  EXPECT_EQ(c.effective(keys::acks), "1") << "librdkafka accepted the value";
  EXPECT_EQ(c.acks(Acks::all).get(keys::acks), "all");
  EXPECT_EQ(c.acks(Acks::none).get(keys::acks), "0");
  EXPECT_EQ(c.acks("all").effective(keys::acks), "-1");
  EXPECT_EQ(c.auto_offset_reset(OffsetReset::earliest).get(keys::auto_offset_reset), "earliest");
}

TEST(ClientConfig, GetShowsOnlyExplicitValuesAndEffectiveShowsDefaults) {
  Config c;
  EXPECT_FALSE(c.get("client.id"));
  EXPECT_EQ(c.effective("client.id"), "rdkafka");
  EXPECT_FALSE(c.effective("no.such.key"));
}

TEST(ClientConfig, MergeLetsTheOtherConfigWin) {
  Config base, over;
  base.set("client.id", "base").set("linger.ms", "1");
  over.set("client.id", "over").set("batch.size", "100");
  base.merge(over);
  EXPECT_EQ(base.get("client.id"), "over");
  EXPECT_EQ(base.get("linger.ms"), "1");
  EXPECT_EQ(base.get("batch.size"), "100");
}

TEST(ClientConfig, CopiesAreIndependent) {
  Config a;
  a.set("client.id", "a");
  Config b = a;
  b.set("client.id", "b");
  EXPECT_EQ(a.get("client.id"), "a");
  EXPECT_EQ(a.effective("client.id"), "a");
  EXPECT_EQ(b.effective("client.id"), "b");
  Config moved = std::move(b);
  EXPECT_EQ(moved.get("client.id"), "b");
  b.set("client.id", "reused");  // a moved-from Config stays usable
  EXPECT_EQ(b.get("client.id"), "reused");
}

TEST(ClientConfig, PrintingRedactsPasswordsAndSecrets) {
  Config c;
  c.set("sasl.username", "alice").set("sasl.password", "hunter2");
  c.set("ssl.key.password", "s3cr3t");
  auto text = c.to_string();
  EXPECT_THAT(text, HasSubstr("sasl.username=alice"));
  EXPECT_THAT(text, HasSubstr("sasl.password=[redacted]"));
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  EXPECT_THAT(text, Not(HasSubstr("s3cr3t")));
  EXPECT_EQ(c.get("sasl.password"), "hunter2") << "the value itself is kept";
  EXPECT_TRUE(klab::client::is_secret_key("sasl.oauthbearer.client.secret"));
  EXPECT_FALSE(klab::client::is_secret_key("ssl.key.location"));
}

TEST(ClientConfig, NativeCopyCarriesEveryValue) {
  Config c;
  c.set("client.id", "native").set("linger.ms", "42");
  auto conf = c.native_copy();
  char buf[64];
  size_t size = sizeof buf;
  ASSERT_EQ(rd_kafka_conf_get(conf.get(), "client.id", buf, &size), RD_KAFKA_CONF_OK);
  EXPECT_STREQ(buf, "native");
}

TEST(ClientConfig, PropertiesFileSkipsCommentsAndBlankLinesAndTrims) {
  TempFile f(
      "# a comment\n"
      "! also a comment\n"
      "\n"
      "bootstrap.servers = host1:9092,host2:9092\n"
      "client.id:colon-separated\r\n"
      "   linger.ms=3   \n");
  auto c = Config::from_properties_file(f.path());
  EXPECT_EQ(c.get("bootstrap.servers"), "host1:9092,host2:9092");
  EXPECT_EQ(c.get("client.id"), "colon-separated");
  EXPECT_EQ(c.get("linger.ms"), "3");
  EXPECT_EQ(c.values().size(), 3u);
}

TEST(ClientConfig, PropertiesLineWithoutSeparatorNamesFileAndLine) {
  TempFile f("client.id=x\n# fine\njust-a-word\n");
  auto what = message_of([&] { Config::from_properties_file(f.path()); });
  EXPECT_THAT(what, HasSubstr(f.path().string() + ":3"));
  EXPECT_THAT(what, HasSubstr("just-a-word"));
}

TEST(ClientConfig, PropertiesRejectedValueNamesLineKeyAndValue) {
  TempFile f("client.id=x\nacks=sometimes\n");
  auto what = message_of([&] { Config::from_properties_file(f.path()); });
  EXPECT_THAT(what, HasSubstr(":2"));
  EXPECT_THAT(what, HasSubstr("acks"));
  EXPECT_THAT(what, HasSubstr("sometimes"));
}

TEST(ClientConfig, MissingPropertiesFileNamesThePath) {
  auto missing = fs::temp_directory_path() / "klab-no-such-dir" / "client.properties";
  try {
    Config::from_properties_file(missing);
    FAIL() << "a missing file must throw";
  } catch (const KafkaException& e) {
    EXPECT_EQ(e.error().code(), RD_KAFKA_RESP_ERR__FS);
    EXPECT_THAT(e.what(), HasSubstr(missing.string()));
  }
}

TEST(ClientConfig, ProducerWithConflictingSettingsFailsAtConstructionNamingTheKey) {
  Config c;
  c.enable_idempotence(true).acks(klab::client::Acks::leader);
  auto what = message_of([&] { klab::client::Producer p(c); });
  EXPECT_THAT(what, HasSubstr("acks"));
}

TEST(ClientConfig, ConsumerWithoutGroupIdIsRejected) {
  Config c;
  auto what = message_of([&] { klab::client::Consumer consumer(c); });
  EXPECT_THAT(what, HasSubstr("group.id"));
}

}  // namespace
