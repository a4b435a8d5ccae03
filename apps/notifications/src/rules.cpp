#include "rules.hpp"

#include <algorithm>

namespace klab::apps::notifications {

Effects RuleEngine::apply(const nlohmann::json& e) {
  Effects out;
  const std::string type = e.value("type", ""), user = e.value("user", "");
  if (user.empty()) return out;
  if (type == "login_failed") {
    const std::int64_t ts = e.value("ts", std::int64_t{0});
    const std::int64_t window = ts - ts % kWindowMs;
    const std::string key = "failed-logins/" + user;
    auto& s = state_[key];
    // A new window starts the count again (and may alert again).
    if (!s.is_object() || s.value("window_start", std::int64_t{-1}) != window)
      s = {{"window_start", window}, {"count", 0}, {"alerted", false}};
    s["count"] = s["count"].get<int>() + 1;
    if (s["count"].get<int>() >= kFailedLoginsForAlert && !s["alerted"].get<bool>()) {
      s["alerted"] = true;
      out.notifications.push_back(
          {{"user", user},
           {"kind", "security"},
           {"window_start", window},
           {"text", std::to_string(kFailedLoginsForAlert) + " failed logins within a minute"}});
    }
    out.state.emplace_back(key, s);
  } else if (type == "follow") {
    const std::string target = e.value("target", "");
    if (target.empty() || target == user) return out;
    const std::string key = "followers/" + target;
    auto& s = state_[key];
    if (!s.is_array()) s = nlohmann::json::array();
    if (std::find(s.begin(), s.end(), user) == s.end()) s.push_back(user);
    out.state.emplace_back(key, s);
  } else if (type == "post") {
    auto it = state_.find("followers/" + user);
    if (it == state_.end()) return out;
    for (const auto& follower : it->second)
      out.notifications.push_back({{"user", follower.get<std::string>()},
                                   {"kind", "social"},
                                   {"text", user + " posted " + e.value("post_id", "")}});
  }
  return out;
}

void RuleEngine::restore(const std::string& key, const std::optional<nlohmann::json>& value) {
  if (value)
    state_[key] = *value;
  else
    state_.erase(key);
}

}  // namespace klab::apps::notifications
