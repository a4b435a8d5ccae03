#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "klab/cluster/broker_metrics.hpp"
#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/ports.hpp"

namespace {
using klab::cluster::ClusterError;
using klab::cluster::parse_prometheus_text;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Shaped like the exporter's answer for kafka/config/jmx-exporter.yaml (Kafka 4.4, exporter 1.0.1).
constexpr const char* exporter_text = R"(# HELP kafka_server_messages_in_total Count
# TYPE kafka_server_messages_in_total counter
kafka_server_messages_in_total 100.0
kafka_server_messages_in_total{topic="orders"} 60.0
kafka_server_messages_in_total{topic="payments"} 40.0

# TYPE kafka_server_start_time gauge
kafka_server_start_time 1.795563335474E12
kafka_network_request_total_time_ms{quantile="0.99",request="Produce"} 42.0
kafka_server_version{version="4.4.0"} 1
)";

TEST(PrometheusTextParse, ReadsNamesLabelsAndValuesSkippingComments) {
  auto samples = parse_prometheus_text(exporter_text);
  ASSERT_EQ(samples.size(), 6u);
  EXPECT_EQ(samples[0].name, "kafka_server_messages_in_total");
  EXPECT_TRUE(samples[0].labels.empty());
  EXPECT_EQ(samples[0].value, 100.0);
  EXPECT_EQ(samples[1].labels.at("topic"), "orders");
  EXPECT_EQ(samples[3].value, 1.795563335474e12);  // Java's exponent notation
  EXPECT_EQ(samples[4].labels.at("quantile"), "0.99");
  EXPECT_EQ(samples[4].labels.at("request"), "Produce");
}

TEST(PrometheusTextParse, FindMetricMatchesASubsetOfLabels) {
  auto samples = parse_prometheus_text(exporter_text);
  EXPECT_EQ(klab::cluster::find_metric(samples, "kafka_server_messages_in_total"), 100.0);
  EXPECT_EQ(klab::cluster::find_metric(samples, "kafka_server_messages_in_total",
                                       {{"topic", "payments"}}),
            40.0);
  EXPECT_EQ(klab::cluster::find_metric(samples, "kafka_network_request_total_time_ms",
                                       {{"request", "Produce"}}),
            42.0);
  EXPECT_FALSE(
      klab::cluster::find_metric(samples, "kafka_server_messages_in_total", {{"topic", "nope"}}));
  EXPECT_FALSE(klab::cluster::find_metric(samples, "no_such_metric"));
}

TEST(PrometheusTextParse, SumMetricAddsEveryMatchAndIsZeroWithoutOne) {
  auto samples = parse_prometheus_text(exporter_text);
  // Unlabelled total plus both topics: a caller wanting per-topic sums must name the label.
  EXPECT_EQ(klab::cluster::sum_metric(samples, "kafka_server_messages_in_total"), 200.0);
  EXPECT_EQ(
      klab::cluster::sum_metric(samples, "kafka_server_messages_in_total", {{"topic", "orders"}}),
      60.0);
  EXPECT_EQ(klab::cluster::sum_metric(samples, "no_such_metric"), 0.0);
}

TEST(PrometheusTextParse, UnescapesLabelValues) {
  auto samples =
      parse_prometheus_text(R"(m{path="C:\\dir",quote="say \"hi\"",nl="a\nb", empty=""} 1)"
                            "\n");
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].labels.at("path"), "C:\\dir");
  EXPECT_EQ(samples[0].labels.at("quote"), "say \"hi\"");
  EXPECT_EQ(samples[0].labels.at("nl"), "a\nb");
  EXPECT_EQ(samples[0].labels.at("empty"), "");
}

TEST(PrometheusTextParse, AcceptsSpecialValuesTimestampsTrailingCommaAndCrLf) {
  auto samples = parse_prometheus_text(
      "a NaN\r\nb +Inf\nc -Inf\nd{x=\"1\",} 2.5 1700000000000\n  \t\n# only a comment\n");
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_TRUE(std::isnan(samples[0].value));
  EXPECT_TRUE(std::isinf(samples[1].value) && samples[1].value > 0);
  EXPECT_TRUE(std::isinf(samples[2].value) && samples[2].value < 0);
  EXPECT_EQ(samples[3].labels.at("x"), "1");
  EXPECT_EQ(samples[3].value, 2.5);
}

TEST(PrometheusTextParse, EmptyTextHasNoSamples) {
  EXPECT_TRUE(parse_prometheus_text("").empty());
  EXPECT_TRUE(parse_prometheus_text("# HELP x y\n# TYPE x gauge\n").empty());
}

// Each malformed line must be reported with its line number and text.
void expect_malformed(const std::string& text, const std::string& line_no,
                      const std::string& line) {
  try {
    parse_prometheus_text(text);
    ADD_FAILURE() << "no error for: " << text;
  } catch (const ClusterError& e) {
    EXPECT_THAT(e.what(), HasSubstr("metrics line " + line_no + " is malformed")) << text;
    EXPECT_THAT(e.what(), HasSubstr(line)) << text;
  }
}

TEST(PrometheusTextParse, MalformedLineIsAnErrorNamingTheLine) {
  expect_malformed("ok 1\n# c\nbroken\n", "3", "broken");
  expect_malformed("m 12abc\n", "1", "m 12abc");
  expect_malformed("m{a=\"1\" 1\n", "1", "m{a=\"1\" 1");
  expect_malformed("m{a=\"unterminated} 1\n", "1", "unterminated");
  expect_malformed("m{a=1} 1\n", "1", "m{a=1} 1");
  expect_malformed("m{a=\"\\t\"} 1\n", "1", "m{a=");
  expect_malformed("m 1 notatime\n", "1", "m 1 notatime");
  expect_malformed("9starts_with_digit 1\n", "1", "9starts_with_digit");
  expect_malformed("m\n", "1", "m");
}

TEST(ScrapeMetrics, UnreachableExporterIsAnErrorNamingTheUrl) {
  // A port nothing listens on: connection refused, quickly.
  auto first = klab::cluster::find_free_port_block(1);
  ASSERT_TRUE(first);
  std::string url = "http://127.0.0.1:" + std::to_string(*first) + "/metrics";
  try {
    klab::cluster::scrape_metrics(url, std::chrono::seconds(2));
    ADD_FAILURE() << "no error";
  } catch (const ClusterError& e) {
    EXPECT_THAT(e.what(), HasSubstr(url));
  }
}

TEST(ScrapeMetrics, UrlWithoutHttpSchemeIsRejected) {
  EXPECT_THROW(klab::cluster::scrape_metrics("127.0.0.1:9292/metrics", std::chrono::seconds(1)),
               ClusterError);
}

class MetricsUrls : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* var : {"KLAB_METRICS_URLS", "KLAB_BOOTSTRAP"}) {
      if (const char* v = getenv(var)) saved_[var] = v;
      unsetenv(var);
    }
    paths_.state_dir =
        fs::temp_directory_path() / ("klab-metrics-urls-" + std::to_string(::getpid()));
    fs::create_directories(paths_.state_dir);
  }
  void TearDown() override {
    unsetenv("KLAB_METRICS_URLS");
    unsetenv("KLAB_BOOTSTRAP");
    for (const auto& [k, v] : saved_) setenv(k.c_str(), v.c_str(), 1);
    fs::remove_all(paths_.state_dir);
  }
  klab::cluster::LabPaths paths_;
  std::map<std::string, std::string> saved_;
};

TEST_F(MetricsUrls, LabDefaultsAreClientPortsPlus200) {
  EXPECT_EQ(
      klab::cluster::metrics_urls(paths_),
      (std::vector<std::string>{"http://127.0.0.1:9292/metrics", "http://127.0.0.1:9293/metrics",
                                "http://127.0.0.1:9294/metrics"}));
}

TEST_F(MetricsUrls, FollowTheLabLayoutRecordedInLabJson) {
  std::ofstream(paths_.state_dir / "lab.json") << R"({"nodes": 1, "first_client_port": 20092})";
  EXPECT_EQ(klab::cluster::metrics_urls(paths_),
            (std::vector<std::string>{"http://127.0.0.1:20292/metrics"}));
}

TEST_F(MetricsUrls, EnvironmentOverridesAndExternalClusterHasNone) {
  setenv("KLAB_BOOTSTRAP", "kafka:9092", 1);
  EXPECT_TRUE(klab::cluster::metrics_urls(paths_).empty());
  setenv("KLAB_METRICS_URLS", "http://a:1/metrics, http://b:2/metrics", 1);
  EXPECT_EQ(klab::cluster::metrics_urls(paths_),
            (std::vector<std::string>{"http://a:1/metrics", "http://b:2/metrics"}));
}

}  // namespace
