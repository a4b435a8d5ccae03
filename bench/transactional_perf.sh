#!/usr/bin/env bash
# What transactions cost a producer: records/s of an idempotent producer and of a transactional
# one committing every 100 ms / 1 s, each the median of N runs of bench/transactional_perf
# against the cluster KLAB_BOOTSTRAP names, else the lab's own (`klab up`).
#   bench/transactional_perf.sh [--runs 3] [--records 1000000] [--build build/release]
# Writes bench/reports/transactional_perf.md and prints the same table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3
records=1000000
build="$root/build/release"
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "transactional_perf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
perf="$build/bench/transactional_perf"
[ -x "$perf" ] || { echo "build first: cmake --build $build --target transactional_perf" >&2; exit 1; }

report="$root/bench/reports/transactional_perf.md"
load=$(cut -d' ' -f1-3 /proc/loadavg)
table=$("$perf" --records "$records" --runs "$runs")
{
  echo "# Transactional producer throughput"
  echo
  echo "$(date -u +%F), $(nproc) cores, \`transactional_perf --records $records --runs $runs\`"
  echo "($(basename "$build") build), 100-byte keyless values, acks=all + idempotence, linger.ms=5, queue.buffering.max.messages=10000,"
  echo "a fresh 3-partition topic per run; median of $runs runs per row. A transactional run"
  echo "commits when the interval has passed since its transaction began, and once at the end."
  echo "Load average before the run: $load (figures from a busy machine vary run to run)."
  echo
  echo "$table"
} | tee "$report.tmp"
mv "$report.tmp" "$report"
