#pragma once
// The notification rules as a state machine over keyed state, with no I/O: the rule engine
// program feeds it activity events, writes every state change to a compacted changelog topic
// and the notifications to their topic, all in one Kafka transaction with the input offsets.
//
// Rules:
//  - security: the 3rd failed login of a user within one tumbling minute (event time) raises
//    one alert for that minute, however many more follow in it;
//  - social: a post by a user notifies each of their followers.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace klab::apps::notifications {

inline constexpr std::int64_t kWindowMs = 60'000;
inline constexpr int kFailedLoginsForAlert = 3;

/// Topics, each "<prefix><name>".
struct NotifyTopics {
  std::string prefix;
  std::string activity() const { return prefix + "user.activity"; }
  std::string changelog() const { return prefix + "notify.rules-changelog"; }  ///< compacted
  std::string notifications() const { return prefix + "user.notifications"; }
};

struct Effects {
  /// Changelog records: state key -> new value (nullopt deletes the key: a tombstone).
  std::vector<std::pair<std::string, std::optional<nlohmann::json>>> state;
  /// Notifications: {"user", "kind", "text", "window_start"?}
  std::vector<nlohmann::json> notifications;
};

class RuleEngine {
 public:
  /// One activity event: {"type":"login_failed","user":..,"ts":ms} | {"type":"follow",
  /// "user":..,"target":..} | {"type":"post","user":..,"post_id":..}. Others: no effect.
  /// Errors: none.
  Effects apply(const nlohmann::json& event);
  /// Puts back one changelog record (value nullopt: the key was deleted). Errors: none.
  void restore(const std::string& key, const std::optional<nlohmann::json>& value);
  std::size_t keys() const { return state_.size(); }

 private:
  std::map<std::string, nlohmann::json> state_;
};

}  // namespace klab::apps::notifications
