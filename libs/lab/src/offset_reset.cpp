#include "klab/lab/offset_reset.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <tuple>

#include "klab/client/consumer.hpp"
#include "klab/lab/lab_error.hpp"

namespace klab::lab {
namespace {
using klab::client::TopicPartition;

std::string iso_utc(std::int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds{ms}};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

}  // namespace

std::string describe(const ResetTarget& target) {
  switch (target.kind) {
    case ResetTarget::Kind::earliest:
      return "earliest";
    case ResetTarget::Kind::latest:
      return "latest";
    case ResetTarget::Kind::offset:
      return "offset " + std::to_string(target.value);
    case ResetTarget::Kind::timestamp:
      return iso_utc(target.value);
  }
  return "?";
}

ResetPlan plan_offset_reset(klab::client::Admin& admin, const klab::client::Config& consumer_config,
                            const ResetRequest& request, std::chrono::milliseconds timeout) {
  using Kind = ResetTarget::Kind;
  if ((request.to.kind == Kind::offset || request.to.kind == Kind::timestamp) &&
      request.to.value < 0)
    throw LabError(
        LabError::Kind::invalid_input,
        fmt::format("the target {} is negative: give an offset or time >= 0", request.to.value));
  auto group = admin.describe_group(request.group, timeout);
  if (!group.members.empty() || (group.state != "Empty" && group.state != "Dead"))
    throw LabError(LabError::Kind::conflict,
                   fmt::format("group {} is {} with {} active member(s): stop its consumers "
                               "first; offsets can only be reset while the group is Empty",
                               request.group, group.state, group.members.size()));

  std::vector<TopicPartition> committed;  // none for a group that does not exist yet
  if (group.state != "Dead") committed = admin.committed_offsets(request.group, {}, timeout);
  std::set<std::string> topics(request.topics.begin(), request.topics.end());
  if (topics.empty())
    for (const auto& c : committed)
      if (c.offset >= 0) topics.insert(c.topic);
  if (topics.empty())
    throw LabError(
        LabError::Kind::not_found,
        fmt::format("group {} has no committed offsets{}: name the topic to reset", request.group,
                    group.state == "Dead" ? " (the cluster does not know it)" : ""));

  std::vector<TopicPartition> partitions;
  for (const auto& d : admin.describe_topics({topics.begin(), topics.end()}, timeout)) {
    if (d.error)
      throw LabError(LabError::Kind::not_found,
                     fmt::format("topic {} does not exist: check the name with `klab topics "
                                 "list`",
                                 d.name));
    for (const auto& p : d.partitions) partitions.push_back({d.name, p.id});
  }

  std::map<std::pair<std::string, std::int32_t>, std::int64_t> by_time;
  if (request.to.kind == Kind::timestamp) {
    auto config = consumer_config;
    config.group_id(klab::client::throwaway_group_id("reset-lookup"));
    klab::client::Consumer lookup(config);
    auto query = partitions;
    for (auto& tp : query) tp.offset = request.to.value;
    for (const auto& found : lookup.offsets_for_times(query, timeout)) {
      if (found.error)
        throw klab::KafkaException(
            found.error, fmt::format("looking up {} in {}/{}", describe(request.to), found.topic,
                                     found.partition));
      by_time[{found.topic, found.partition}] = found.offset;
    }
    lookup.close();
  }

  ResetPlan plan{request.group, group.state, request.to, {}};
  for (const auto& tp : partitions) {
    PlannedOffset p{tp.topic, tp.partition, klab::client::offset_invalid, 0, ""};
    for (const auto& c : committed)
      if (c.topic == tp.topic && c.partition == tp.partition) p.current = c.offset;
    auto w = admin.watermark_offsets(tp.topic, tp.partition, timeout);
    switch (request.to.kind) {
      case Kind::earliest:
        p.target = w.low;
        break;
      case Kind::latest:
        p.target = w.high;
        break;
      case Kind::offset:
        p.target = std::clamp(request.to.value, w.low, w.high);
        if (p.target != request.to.value)
          p.note = fmt::format("{} is outside {}..{}", request.to.value, w.low, w.high);
        break;
      case Kind::timestamp: {
        auto found = by_time.at({tp.topic, tp.partition});
        p.target = found >= 0 ? found : w.high;
        if (found < 0) p.note = "no record that new: log end";
        break;
      }
    }
    plan.offsets.push_back(std::move(p));
  }
  std::sort(plan.offsets.begin(), plan.offsets.end(), [](const auto& a, const auto& b) {
    return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
  });
  return plan;
}

void execute_offset_reset(klab::client::Admin& admin, const ResetPlan& plan,
                          std::chrono::milliseconds timeout) {
  std::vector<TopicPartition> offsets;
  for (const auto& p : plan.offsets) offsets.push_back({p.topic, p.partition, p.target});
  try {
    admin.alter_group_offsets(plan.group, offsets, timeout);
  } catch (const klab::KafkaException& e) {
    if (e.error() == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
        e.error() == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS)
      throw LabError(LabError::Kind::conflict,
                     fmt::format("group {} gained active members while resetting ({}): stop its "
                                 "consumers first",
                                 plan.group, e.error().name()));
    throw;
  }
}

}  // namespace klab::lab
