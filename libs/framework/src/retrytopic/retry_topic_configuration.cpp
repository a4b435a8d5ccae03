#include "klab/framework/retrytopic/retry_topic_configuration.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

#include "klab/client/error.hpp"

namespace klab::framework {

namespace {
[[noreturn]] void invalid(const std::string& setting, const std::string& why) {
  throw KafkaException(
      Error(RD_KAFKA_RESP_ERR__INVALID_ARG, "RetryTopicConfiguration." + setting + ": " + why));
}
}  // namespace

RetryTopicConfiguration::RetryTopicConfiguration(std::vector<std::string> topics) {
  this->topics(std::move(topics));
}

RetryTopicConfiguration& RetryTopicConfiguration::topics(std::vector<std::string> topics) {
  if (topics.empty()) invalid("topics", "no topic given");
  std::set<std::string> seen;
  for (const auto& topic : topics) {
    if (topic.empty()) invalid("topics", "an empty topic name");
    if (!seen.insert(topic).second) invalid("topics", "'" + topic + "' is named twice");
  }
  topics_ = std::move(topics);
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::max_attempts(int attempts) {
  if (attempts < 1)
    invalid("max_attempts", std::to_string(attempts) + " (must be >= 1: the first delivery)");
  max_attempts_ = attempts;
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::back_off(BackOff back_off) {
  back_off_ = std::move(back_off);
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::topic_suffixing(TopicSuffixing suffixing) {
  suffixing_ = suffixing;
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::same_interval_topic_reuse(
    SameIntervalTopicReuse reuse) {
  reuse_ = reuse;
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::retry_topic_suffix(std::string suffix) {
  if (suffix.empty()) invalid("retry_topic_suffix", "empty");
  retry_suffix_ = std::move(suffix);
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::dlt_suffix(std::string suffix) {
  if (suffix.empty()) invalid("dlt_suffix", "empty (the DLT would be the main topic)");
  dlt_suffix_ = std::move(suffix);
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::retry_on(ErrorClassifier classifier) {
  retry_on_.push_back(std::move(classifier));
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::not_retry_on(ErrorClassifier classifier) {
  not_retry_on_.push_back(std::move(classifier));
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::auto_create_topics(bool create) {
  auto_create_ = create;
  return *this;
}

RetryTopicConfiguration& RetryTopicConfiguration::replication_factor(int factor) {
  if (factor < 1) invalid("replication_factor", std::to_string(factor) + " (must be >= 1)");
  replication_factor_ = factor;
  return *this;
}

void RetryTopicConfiguration::validate() const {
  if (topics_.empty()) invalid("topics", "no topic given");
  for (int retry = 1; retry < max_attempts_; ++retry) delay(retry);
  const std::set<std::string> mains(topics_.begin(), topics_.end());
  for (const auto& topic : topics_) {
    auto retries = retry_topics(topic);
    auto dlt = dlt_topic(topic);
    if (std::find(retries.begin(), retries.end(), dlt) != retries.end() || mains.contains(dlt))
      invalid("dlt_suffix", "the DLT '" + dlt + "' is also a retry or main topic");
    for (const auto& retry : retries) {
      if (mains.contains(retry))
        invalid("retry_topic_suffix", "the retry topic '" + retry + "' is also a main topic");
    }
  }
}

bool RetryTopicConfiguration::applies_to(std::string_view topic) const {
  return std::find(topics_.begin(), topics_.end(), topic) != topics_.end();
}

std::chrono::milliseconds RetryTopicConfiguration::delay(int retry) const {
  if (retry < 1 || retry >= max_attempts_)
    invalid("retry", std::to_string(retry) + " is not in 1.." + std::to_string(max_attempts_ - 1));
  auto wait = back_off_.next_delay(retry);
  if (!wait)
    invalid("back_off", "gives up after " + std::to_string(retry - 1) +
                            " retries but max_attempts " + std::to_string(max_attempts_) +
                            " needs " + std::to_string(max_attempts_ - 1));
  if (wait->count() < 0) invalid("back_off", "a negative delay for retry " + std::to_string(retry));
  return *wait;
}

std::string RetryTopicConfiguration::retry_topic(std::string_view topic, int retry) const {
  delay(retry);  // range check first, so the error names this retry
  // Spring's naming (DestinationTopicPropertiesFactory), so both sides use the same topics.
  std::vector<std::int64_t> delays;
  for (int r = 1; r < max_attempts_; ++r) delays.push_back(delay(r).count());
  const auto n = static_cast<int>(delays.size());
  const bool reuse = reuse_ == SameIntervalTopicReuse::single_topic;
  const auto repeats = [&](std::int64_t d) {
    return static_cast<int>(std::count(delays.begin(), delays.end(), d));
  };
  // Repeats of the last delay (a fixed back-off, or an exponential one at its cap) share the
  // last topic.
  const int topics = reuse && n > 1 ? n - (repeats(delays.back()) - 1) : n;
  const int index = std::min(retry, topics) - 1;
  std::string name = std::string(topic) + retry_suffix_;
  if (reuse && topics == 1) return name;
  const bool all_equal = n > 1 && repeats(delays.back()) == n;
  if (suffixing_ == TopicSuffixing::index || all_equal) return name + "-" + std::to_string(index);
  const auto wait = delays[static_cast<std::size_t>(index)];
  name += "-" + std::to_string(wait);
  if (!reuse && repeats(wait) > 1) {
    const auto first = std::find(delays.begin(), delays.end(), wait) - delays.begin();
    name += "-" + std::to_string(index - first);
  }
  return name;
}

std::vector<std::string> RetryTopicConfiguration::retry_topics(std::string_view topic) const {
  std::vector<std::string> out;
  for (int retry = 1; retry < max_attempts_; ++retry) {
    auto name = retry_topic(topic, retry);
    // Same-interval retries may share a topic.
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
  return out;
}

std::string RetryTopicConfiguration::dlt_topic(std::string_view topic) const {
  return std::string(topic) + dlt_suffix_;
}

bool RetryTopicConfiguration::retryable(const std::exception_ptr& error) const {
  for (const auto& no : not_retry_on_)
    if (no(error)) return false;
  if (retry_on_.empty()) return true;
  return std::any_of(retry_on_.begin(), retry_on_.end(),
                     [&](const ErrorClassifier& yes) { return yes(error); });
}

}  // namespace klab::framework
