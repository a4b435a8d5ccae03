#!/usr/bin/env bash
# Producer throughput and latency for a few settings, each the median of N runs of
# `klab perf produce` against the cluster KLAB_BOOTSTRAP names, else the lab's own (`klab up`).
#   bench/producer_perf.sh [--runs 3] [--records 200000]
# Writes bench/reports/producer_perf.md and prints the same table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3
records=200000
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "producer_perf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
klab="$root/build/release/tools/klab/klab"
[ -x "$klab" ] || { echo "build first: scripts/setup release" >&2; exit 1; }
"$klab" status >/dev/null 2>&1 || { echo "no cluster: start one with ./klab up" >&2; exit 1; }

settings=("" "--acks 1" "--acks 0" "--idempotent" "--linger-ms 20 --compression lz4"
  "--linger-ms 20 --compression zstd" "--linger-ms 0 --batch-size 16384")
report="$root/bench/reports/producer_perf.md"
{
  echo "# Producer throughput and latency"
  echo
  echo "$(date -u +%F), $(nproc) cores, \`klab perf produce --records $records\` (release build) + the settings below,"
  echo "100-byte keyless values, a fresh 3-partition topic per run; median of $runs runs per column."
  echo "Latency is send() to delivery report for a burst, so it includes time queued in the producer."
  echo
  echo "| settings | records/s | MiB/s | p50 ms | p99 ms | p99.9 ms | produce requests |"
  echo "|---|---|---|---|---|---|---|"
  for s in "${settings[@]}"; do
    for ((i = 1; i <= runs; i++)); do
      # shellcheck disable=SC2086 # the settings are several words on purpose
      "$klab" perf produce --records "$records" $s --json 2>/dev/null
    done | python3 -c '
import json, statistics, sys
rs = [json.loads(l) for l in sys.stdin if l.startswith("{")]
if not rs:
    sys.exit("producer_perf.sh: klab perf produce printed no result")
m = lambda f: statistics.median(f(r) for r in rs)
print("| %s | %d | %.1f | %.0f | %.0f | %.0f | %d |" % (
    sys.argv[1] or "defaults (acks=all)", m(lambda r: r["records_per_s"]), m(lambda r: r["mib_per_s"]),
    m(lambda r: r["latency_ms"]["p50"]), m(lambda r: r["latency_ms"]["p99"]),
    m(lambda r: r["latency_ms"]["p99_9"]), m(lambda r: r["produce_requests"])))
' "$s"
  done
} | tee "$report.tmp"
mv "$report.tmp" "$report"
