#include "group_timeline.hpp"

#include <algorithm>
#include <map>

namespace klab::console {

namespace {

std::vector<TimelineMember> members_of(const klab::client::GroupDescription& g) {
  std::vector<TimelineMember> out;
  for (const auto& m : g.members) {
    TimelineMember tm{.member_id = m.member_id, .client_id = m.client_id, .partitions = {}};
    for (const auto& tp : m.assignment)
      tm.partitions.push_back(tp.topic + "-" + std::to_string(tp.partition));
    std::sort(tm.partitions.begin(), tm.partitions.end());
    out.push_back(std::move(tm));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.member_id < b.member_id; });
  return out;
}

std::map<std::string, std::string> owners(const std::vector<TimelineMember>& members) {
  std::map<std::string, std::string> out;
  for (const auto& m : members)
    for (const auto& p : m.partitions) out[p] = m.member_id;
  return out;
}

bool same(const TimelineMember& a, const TimelineMember& b) {
  return a.member_id == b.member_id && a.partitions == b.partitions;
}

}  // namespace

GroupTimeline::GroupTimeline(std::int64_t keep_ms, std::size_t max_entries)
    : keep_ms_(keep_ms), max_entries_(max_entries) {}

void GroupTimeline::observe(std::int64_t t_ms, const klab::client::GroupDescription& group) {
  TimelineEntry next{.t_ms = t_ms, .state = group.state, .members = members_of(group)};
  if (!entries_.empty()) {
    const auto& last = entries_.back();
    bool unchanged =
        last.state == next.state && std::equal(last.members.begin(), last.members.end(),
                                               next.members.begin(), next.members.end(), same);
    if (unchanged) return;
    std::map<std::string, bool> before, now;
    for (const auto& m : last.members) before[m.member_id] = true;
    for (const auto& m : next.members) now[m.member_id] = true;
    for (const auto& m : next.members)
      if (!before.contains(m.member_id)) next.joined.push_back(m.member_id);
    for (const auto& m : last.members)
      if (!now.contains(m.member_id)) next.left.push_back(m.member_id);
    auto was = owners(last.members), is = owners(next.members);
    for (const auto& [p, owner] : is)
      if (!was.contains(p) || was.at(p) != owner)
        next.moved.push_back({p, was.contains(p) ? was.at(p) : "", owner});
    for (const auto& [p, owner] : was)
      if (!is.contains(p)) next.moved.push_back({p, owner, ""});
  }
  entries_.push_back(std::move(next));
  while (entries_.size() > max_entries_ ||
         (!entries_.empty() && entries_.front().t_ms < t_ms - keep_ms_))
    entries_.pop_front();
}

}  // namespace klab::console
