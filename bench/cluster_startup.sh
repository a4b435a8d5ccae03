#!/usr/bin/env bash
# Time from `klab up` to ready (every broker registered, quorum leader elected), for 1 and 3
# nodes: the first start (formats storage) and a restart (data present), median of N runs.
# Optionally the wall time of the whole suite.
#   bench/cluster_startup.sh [--runs 5] [--suite]
# Writes bench/reports/cluster_startup.md and prints the same table.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=5
suite=0
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --suite) suite=1; shift ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "cluster_startup.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
klab="$root/build/release/tools/klab/klab"
[ -x "$klab" ] || { echo "build first: scripts/setup release" >&2; exit 1; }

home=$(mktemp -d)
trap 'KLAB_HOME=$home "$klab" down >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
mkdir -p "$home/kafka" "$home/.klab/kafka"
cp "$root/kafka/pom.xml" "$home/kafka/"
ln -s "$root/kafka/config" "$home/kafka/config"
ln -s "$root/.klab/kafka/libs" "$home/.klab/kafka/libs"
export KLAB_HOME=$home
unset KLAB_BOOTSTRAP

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
port=$((30000 + RANDOM % 5000))

measure() { # nodes mode(first|restart)
  local nodes=$1 mode=$2 t0 t1
  for ((i = 1; i <= runs; i++)); do
    if [ "$mode" = first ]; then "$klab" reset --yes >/dev/null 2>&1 || true; fi
    t0=$(now)
    "$klab" up --nodes "$nodes" --port "$port" >/dev/null
    t1=$(now)
    "$klab" down >/dev/null
    awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
  done | median
}

rows=()
for nodes in 1 3; do
  "$klab" down >/dev/null 2>&1 || true
  "$klab" reset --yes >/dev/null 2>&1 || true
  first=$(measure "$nodes" first)
  restart=$(measure "$nodes" restart)
  "$klab" reset --yes >/dev/null
  echo "nodes=$nodes first=${first}s restart=${restart}s" >&2
  rows+=("| $nodes | $first s | $restart s |")
done

suite_row=""
if ((suite)); then
  t0=$(now)
  (cd "$root" && scripts/test >/dev/null 2>&1) || suite_status=failed
  suite_row="Whole suite (\`scripts/test\`, asan preset): $(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.0f", b - a}') s ${suite_status:-}"
fi

report="$root/bench/reports/cluster_startup.md"
{
  echo "# Cluster start-up: command to ready"
  echo
  echo "Command: \`bench/cluster_startup.sh --runs $runs${suite:+$( ((suite)) && echo ' --suite')}\` on $(nproc) cores, $(date -u +%Y-%m-%d)."
  echo "Median of $runs runs. \"first\" formats KRaft storage; \"restart\" reuses the data."
  echo
  echo "| nodes | first start | restart |"
  echo "|---|---|---|"
  printf '%s\n' "${rows[@]}"
  [ -n "$suite_row" ] && echo && echo "$suite_row"
} >"$report"
cat "$report"
