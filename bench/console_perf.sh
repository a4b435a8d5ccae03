#!/usr/bin/env bash
# The console with 500 topics and 50 groups: p50/p95/max per page and API endpoint, and the
# requests it makes to the cluster per minute when idle (its own count and the brokers').
# Against the cluster KLAB_BOOTSTRAP names (+ KLAB_METRICS_URLS), else the lab's own (`klab up`).
#   bench/console_perf.sh [--topics 500] [--groups 50] [--requests 100] [--idle-seconds 60]
#                         [--build build/release]
# Writes bench/reports/console_perf.md and prints the same table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build/release"
topics=500 groups=50 requests=100 idle=60
while (($#)); do
  case "$1" in
    --topics) topics=$2; shift 2 ;;
    --groups) groups=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --idle-seconds) idle=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "console_perf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
bin="$build/bench/console_perf"
klab="$build/tools/klab/klab"
[ -x "$bin" ] || { echo "build first: cmake --build $build --target console_perf" >&2; exit 1; }
if [ -z "${KLAB_BOOTSTRAP:-}" ]; then
  [ -x "$klab" ] || klab="$root/build/release/tools/klab/klab"
  "$klab" status >/dev/null 2>&1 || { echo "no cluster: start one with ./klab up" >&2; exit 1; }
fi

args=(--topics "$topics" --groups "$groups" --requests "$requests" --idle-seconds "$idle")
out=$("$bin" "${args[@]}")
report="$root/bench/reports/console_perf.md"
{
  echo "# Console response times and idle load"
  echo
  echo "$(date -u +%F), $(nproc) cores, \`bench/console_perf ${args[*]}\` (release build,"
  echo "console in-process, one client sending requests one after another):"
  echo
  echo "$out"
} | tee "$report.tmp"
mv "$report.tmp" "$report"
