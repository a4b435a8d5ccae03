#!/usr/bin/env bash
# ConcurrentListenerContainer vs a hand-written poll loop: records/s of each (median of N runs)
# against the cluster KLAB_BOOTSTRAP names, else the lab's own (`klab up`).
#   bench/container_perf.sh [--runs 3] [--records 500000] [--build build/release]
# Writes bench/reports/container_perf.md and prints the same table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=3
records=500000
build="$root/build/release"
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "container_perf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
bin="$build/bench/container_perf"
klab="$build/tools/klab/klab"
[ -x "$klab" ] || klab="$root/build/release/tools/klab/klab"  # a bench-only build dir has no CLI
[ -x "$bin" ] || { echo "build first: cmake --build $build --target container_perf" >&2; exit 1; }
if [ -z "${KLAB_BOOTSTRAP:-}" ]; then
  [ -x "$klab" ] || { echo "build first: scripts/setup release" >&2; exit 1; }
  "$klab" status >/dev/null 2>&1 || { echo "no cluster: start one with ./klab up" >&2; exit 1; }
fi

out=$("$bin" --records "$records" --runs "$runs")
echo "$out" >&2
report="$root/bench/reports/container_perf.md"
{
  echo "# Listener container overhead"
  echo
  echo "$(date -u +%F), $(nproc) cores, \`bench/container_perf --records $records --runs $runs\` (release build):"
  echo "$records 100-byte records on a fresh 6-partition topic, each variant from a fresh group,"
  echo "timed from its first record to its last (group join not counted); median of $runs runs."
  echo "(a) Consumer::poll_batch(500, 100 ms) + commit_sync of the batch's offsets;"
  echo "(b) ConcurrentListenerContainer, AckMode::batch, concurrency 1, a record listener that only counts."
  echo "The two alternate which runs first."
  echo
  echo "$out" | sed -n '/^| variant/,$p'
  echo
  echo "Each run (the machine is shared, so single runs vary a lot; compare medians):"
  echo
  echo "$out" | sed -n 's/^run /- run /p'
} | tee "$report.tmp"
mv "$report.tmp" "$report"
