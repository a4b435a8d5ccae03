#include "klab/cluster/broker_metrics.hpp"

#include <httplib.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "klab/cluster/cluster_error.hpp"
#include "klab/cluster/defaults.hpp"

namespace klab::cluster {

namespace {

bool name_char(char c, bool first) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

// Reads one sample line; on failure returns a short reason (the caller adds the line number).
class LineParser {
 public:
  explicit LineParser(std::string_view line) : s_(line) {}

  std::string parse(MetricSample& out) {
    out.name = identifier();
    if (out.name.empty()) return "expected a metric name";
    if (peek() == '{')
      if (auto err = labels(out.labels); !err.empty()) return err;
    if (!skip_spaces()) return "expected a space and a value after the name";
    auto value_text = token();
    if (!number(value_text, out.value)) return "'" + std::string(value_text) + "' is not a number";
    skip_spaces();
    if (!at_end()) {  // an optional timestamp (integer milliseconds)
      auto ts = token();
      long long ignored = 0;
      auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), ignored);
      if (ec != std::errc() || p != ts.data() + ts.size())
        return "'" + std::string(ts) + "' is not a timestamp";
      skip_spaces();
      if (!at_end()) return "unexpected text after the timestamp";
    }
    return {};
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool at_end() const { return pos_ >= s_.size(); }

  bool skip_spaces() {
    size_t start = pos_;
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
    return pos_ > start;
  }

  std::string identifier() {
    size_t start = pos_;
    while (pos_ < s_.size() && name_char(s_[pos_], pos_ == start)) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string_view token() {
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ' ' && s_[pos_] != '\t') ++pos_;
    return s_.substr(start, pos_ - start);
  }

  std::string labels(std::map<std::string, std::string>& out) {
    ++pos_;  // '{'
    for (;;) {
      skip_spaces();
      if (peek() == '}') {
        ++pos_;
        return {};
      }
      std::string key = identifier();
      if (key.empty()) return "expected a label name or '}'";
      skip_spaces();
      if (peek() != '=') return "expected '=' after label " + key;
      ++pos_;
      skip_spaces();
      if (peek() != '"') return "expected '\"' to open the value of label " + key;
      ++pos_;
      std::string value;
      for (;;) {
        if (at_end()) return "unterminated value of label " + key;
        char c = s_[pos_++];
        if (c == '"') break;
        if (c != '\\') {
          value += c;
          continue;
        }
        if (at_end()) return "unterminated value of label " + key;
        char e = s_[pos_++];
        if (e == 'n')
          value += '\n';
        else if (e == '\\' || e == '"')
          value += e;
        else
          return std::string("unknown escape \\") + e + " in label " + key;
      }
      out[key] = std::move(value);
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') return "expected ',' or '}' after label " + key;
    }
  }

  static bool number(std::string_view t, double& out) {
    if (t == "NaN") return out = std::numeric_limits<double>::quiet_NaN(), true;
    if (t == "+Inf" || t == "Inf") return out = std::numeric_limits<double>::infinity(), true;
    if (t == "-Inf") return out = -std::numeric_limits<double>::infinity(), true;
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    if (t.empty()) return false;
    // from_chars is locale-independent, unlike strtod; it accepts Java's "1.2E12" too.
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool labels_match(const MetricSample& s, std::string_view name,
                  const std::map<std::string, std::string>& labels) {
  if (s.name != name) return false;
  for (const auto& [k, v] : labels) {
    auto it = s.labels.find(k);
    if (it == s.labels.end() || it->second != v) return false;
  }
  return true;
}

std::vector<std::string> split_urls(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    auto item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

}  // namespace

std::vector<MetricSample> parse_prometheus_text(std::string_view text) {
  std::vector<MetricSample> out;
  size_t line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    MetricSample sample;
    if (auto err = LineParser(line.substr(first)).parse(sample); !err.empty())
      throw ClusterError("metrics line " + std::to_string(line_no) + " is malformed (" + err +
                         "): " + std::string(line.substr(0, 200)));
    out.push_back(std::move(sample));
  }
  return out;
}

std::optional<double> find_metric(const std::vector<MetricSample>& samples, std::string_view name,
                                  const std::map<std::string, std::string>& labels) {
  for (const auto& s : samples)
    if (labels_match(s, name, labels)) return s.value;
  return std::nullopt;
}

double sum_metric(const std::vector<MetricSample>& samples, std::string_view name,
                  const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (const auto& s : samples)
    if (labels_match(s, name, labels)) sum += s.value;
  return sum;
}

std::vector<MetricSample> scrape_metrics(const std::string& url,
                                         std::chrono::milliseconds timeout) {
  // "http://host:port/path": httplib takes the scheme://host:port part and the path apart.
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0)
    throw ClusterError("broker metrics URL '" + url +
                       "' must start with http:// (e.g. http://127.0.0.1:9292/metrics)");
  size_t slash = url.find('/', scheme.size());
  std::string origin = slash == std::string::npos ? url : url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);

  httplib::Client client(origin);
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout - secs);
  client.set_connection_timeout(secs.count(), usecs.count());
  client.set_read_timeout(secs.count(), usecs.count());
  client.set_write_timeout(secs.count(), usecs.count());
  auto res = client.Get(path);
  if (!res)
    throw ClusterError("cannot read broker metrics from " + url + " (" +
                       httplib::to_string(res.error()) +
                       "): is the node running with the JMX exporter agent (klab up)?");
  if (res->status != 200)
    throw ClusterError("broker metrics at " + url + " answered HTTP " +
                       std::to_string(res->status) + ", not 200: is this a JMX exporter URL?");
  try {
    return parse_prometheus_text(res->body);
  } catch (const ClusterError& e) {
    throw ClusterError(url + " did not answer Prometheus text: " + e.what());
  }
}

std::vector<std::string> metrics_urls(const LabPaths& paths) {
  if (const char* env = std::getenv("KLAB_METRICS_URLS"); env && *env) return split_urls(env);
  if (const char* bootstrap = std::getenv("KLAB_BOOTSTRAP"); bootstrap && *bootstrap) return {};
  // The lab's own cluster: its recorded layout, else the defaults `klab up` would use.
  int nodes = defaults::nodes;
  int first_port = defaults::first_client_port;
  if (std::ifstream in(paths.state_dir / "lab.json"); in) {
    try {
      auto j = nlohmann::json::parse(in);
      nodes = j.value("nodes", nodes);
      first_port = j.value("first_client_port", first_port);
    } catch (const std::exception&) {
      // A damaged lab.json: `klab up` reports it; the defaults are the best guess here.
    }
  }
  std::vector<std::string> out;
  for (int i = 0; i < nodes; ++i)
    out.push_back("http://" + std::string(defaults::host) + ':' +
                  std::to_string(first_port + i + defaults::metrics_port_offset) + "/metrics");
  return out;
}

}  // namespace klab::cluster
