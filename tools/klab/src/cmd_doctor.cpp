// doctor: the monitoring checklist (8.3.4) against the cluster, each finding with its fix.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "context.hpp"
#include "klab/lab/doctor.hpp"

namespace klab::cli {
namespace {

struct DoctorOptions {
  std::int64_t interval_ms = 3000;
  klab::lab::DoctorThresholds thresholds;
  bool json = false;
};

std::string_view mark(klab::lab::DoctorFinding::Status status) {
  switch (status) {
    case klab::lab::DoctorFinding::Status::ok:
      return "✅";
    case klab::lab::DoctorFinding::Status::warn:
      return "⚠️ ";
    case klab::lab::DoctorFinding::Status::fail:
      return "❌";
    case klab::lab::DoctorFinding::Status::skipped:
      return "⏭️ ";
  }
  return "?";
}

void cmd_doctor(const DoctorOptions& o) {
  auto ctx = make_context();
  if (!o.json)
    fmt::print(stderr, "Checking {} (two samples {} ms apart)...\n", ctx.target.describe(),
               o.interval_ms);
  auto snapshot = klab::lab::collect(klab::lab::doctor_sources(ctx.paths, ctx.target),
                                     std::chrono::milliseconds(o.interval_ms));
  auto findings = klab::lab::evaluate(snapshot, o.thresholds);
  if (o.json) {
    auto out = nlohmann::json::array();
    for (const auto& f : findings)
      out.push_back({{"check", f.check},
                     {"status", klab::lab::to_string(f.status)},
                     {"detail", f.detail},
                     {"fix", f.fix}});
    fmt::print("{}\n", out.dump(2));
  } else {
    for (const auto& f : findings) {
      fmt::print("{} {:<28} {}\n", mark(f.status), f.check, f.detail);
      if (!f.fix.empty()) fmt::print("   {:<28} fix: {}\n", "", f.fix);
    }
  }
  if (klab::lab::needs_attention(findings))
    throw CommandError("the checklist found problems (see above)");
}

}  // namespace

void add_doctor_command(CLI::App& app) {
  static DoctorOptions o;
  auto* d = app.add_subcommand(
      "doctor",
      "The monitoring checklist: under-replicated / offline / under-min-ISR partitions, the "
      "active controller, quorum lag, ISR churn, request handler idle, disk use, consumer lag "
      "growing. Exits 1 with each problem and its fix");
  add_duration_option(*d, "--interval", o.interval_ms,
                      "time between the two samples rates and trends need (default 3s)", 500);
  d->add_option("--min-idle", o.thresholds.min_request_handler_idle,
                "flag a request handler idle ratio below this (default 0.3)")
      ->check(CLI::Range(0.0, 1.0));
  d->add_option("--max-disk-use", o.thresholds.max_disk_use,
                "flag a data directory's file system used above this share (default 0.85)")
      ->check(CLI::Range(0.0, 1.0));
  d->add_option("--max-quorum-lag", o.thresholds.max_quorum_lag,
                "flag a KRaft follower trailing by more records (default 1000)");
  d->add_flag("--json", o.json, "the findings as JSON");
  d->callback([] { cmd_doctor(o); });
}

}  // namespace klab::cli
