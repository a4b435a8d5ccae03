#!/usr/bin/env bash
# The lab's perf tools against Kafka's own on one running cluster, same workload, same settings:
#   produce:  klab perf produce  vs  a plain librdkafka loop (raw_producer_perf)  vs  ProducerPerformance
#   consume:  klab perf consume  vs  ConsumerPerformance
#   e2e:      klab perf e2e      vs  EndToEndLatency
# Tools alternate within each round (the order rotates), medians over the rounds, ratios per
# setting. Writes bench/reports/compare_perf.md and prints it.
#   bench/compare_perf.sh [--records 1000000] [--rounds 4] [--partitions 6] [--e2e-records 2000]
# The cluster: KLAB_BOOTSTRAP, else the lab's own (`klab up`). Needs the release build
# (scripts/setup release).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
records=1000000
rounds=4
partitions=6
e2e_records=2000
record_size=100
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --e2e-records) e2e_records=$2; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "compare_perf.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
klab="$root/build/release/tools/klab/klab"
raw="$root/build/release/bench/raw_producer_perf"
for bin in "$klab" "$raw"; do
  [ -x "$bin" ] || { echo "compare_perf.sh: $bin is missing: run scripts/setup release" >&2; exit 1; }
done
"$klab" status >/dev/null 2>&1 || { echo "compare_perf.sh: no cluster: start one with ./klab up" >&2; exit 1; }
[ -z "${KLAB_CLIENT_PROPERTIES:-}" ] || {
  echo "compare_perf.sh: runs on a plaintext cluster only (unset KLAB_CLIENT_PROPERTIES)" >&2
  exit 1
}
state_dir=${KLAB_STATE_DIR:-$root/.klab/state/cluster}
bootstrap=${KLAB_BOOTSTRAP:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bootstrap"])' "$state_dir/lab.json")}
libs="$root/.klab/kafka/libs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Runs a tool with its stderr kept aside; when it fails, says which and shows why.
checked() {
  if ! "$@" 2>"$work/stderr"; then
    echo "compare_perf.sh: failed: $*" >&2
    tail -5 "$work/stderr" >&2
    return 1
  fi
}
java_tool() { checked java -Xmx512m -cp "$libs/*" "$@"; }

# Producer settings compared, in librdkafka/Java names (the same keys in both clients).
settings=("acks=all linger.ms=10 batch.size=262144"
  "acks=1 linger.ms=5 batch.size=65536 compression.type=lz4")

topic="perf-compare-$(date -u +%Y%m%d-%H%M%S)"
brokers=$(($(tr -cd , <<<"$bootstrap" | wc -c) + 1))  # the lab lists every broker
rf=$((brokers < 3 ? brokers : 3))
"$klab" topics create "$topic" --partitions "$partitions" --replication-factor "$rf" >&2

# Each tool prints one line "records_per_s p50_ms p99_ms" into $work/<setting>.<tool>.
run_klab() { # settings...
  local x=()
  for kv in "$@"; do x+=(-X "$kv"); done
  checked "$klab" perf produce --topic "$topic" --records "$records" --record-size "$record_size" "${x[@]}" \
    --json | python3 -c 'import json,sys; r=json.loads(sys.stdin.readlines()[-1]); l=r["latency_ms"]; print(r["records_per_s"], l["p50"], l["p99"])'
}
run_raw() {
  local x=()
  for kv in "$@"; do x+=(-X "$kv"); done
  checked "$raw" --topic "$topic" --records "$records" --record-size "$record_size" "${x[@]}" |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readlines()[-1]); l=r["latency_ms"]; print(r["records_per_s"], l["p50"], l["p99"])'
}
run_java() {
  java_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
    --record-size "$record_size" --throughput -1 --producer-props bootstrap.servers="$bootstrap" "$@" |
    python3 -c '
import re, sys
last = [l for l in sys.stdin if "records sent" in l][-1]
rate = float(re.search(r"([\d.]+) records/sec", last).group(1))
p50 = float(re.search(r"(\d+) ms 50th", last).group(1))
p99 = float(re.search(r"(\d+) ms 99th", last).group(1))
print(rate, p50, p99)'
}

tools=(klab raw java)
for ((round = 0; round < rounds; round++)); do
  for ((s = 0; s < ${#settings[@]}; s++)); do
    # shellcheck disable=SC2206 # one setting is several words on purpose
    kv=(${settings[s]})
    for ((t = 0; t < ${#tools[@]}; t++)); do
      tool=${tools[(t + round) % ${#tools[@]}]}  # rotate the order every round
      echo "round $((round + 1))/$rounds, setting $((s + 1)): $tool" >&2
      "run_$tool" "${kv[@]}" >>"$work/p$s.$tool"
    done
  done
done

# Consumers: each run reads 3 x `records` of what the producers wrote, with a fresh group (a
# run of one second or less mostly times the first fetches).
consume_records=$((records * 3))
for ((round = 0; round < rounds; round++)); do
  for tool in $([ $((round % 2)) -eq 0 ] && echo "klab java" || echo "java klab"); do
    echo "consume round $((round + 1))/$rounds: $tool" >&2
    if [ "$tool" = klab ]; then
      checked "$klab" perf consume --topic "$topic" --records "$consume_records" --json |
        python3 -c 'import json,sys; r=json.loads(sys.stdin.readlines()[-1]); print(r["records_per_s"], r["mib_per_s"])' >>"$work/c.klab"
    else
      java_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bootstrap" \
        --topic "$topic" --messages "$consume_records" --group "perf-compare-$RANDOM$RANDOM" |
        python3 -c '
import sys
rows = [l.strip().split(", ") for l in sys.stdin if l.count(",") >= 9]
r = rows[-1]  # fetch.MB.sec and fetch.nMsg.sec: the join is left out, as in klab perf consume
print(float(r[9]), float(r[8]))' >>"$work/c.java"
    fi
  done
done

# End-to-end latency on a 1-partition topic of its own.
e2e_topic="$topic-e2e"
"$klab" topics create "$e2e_topic" --partitions 1 --replication-factor "$rf" >&2
for ((round = 0; round < rounds; round++)); do
  for tool in $([ $((round % 2)) -eq 0 ] && echo "klab java" || echo "java klab"); do
    echo "e2e round $((round + 1))/$rounds: $tool" >&2
    if [ "$tool" = klab ]; then
      checked "$klab" perf e2e --topic "$e2e_topic" --records "$e2e_records" --record-size "$record_size" \
        --json |
        python3 -c 'import json,sys; l=json.loads(sys.stdin.readlines()[-1])["latency_ms"]; print(l["p50"], l["p99"], l["p99_9"])' >>"$work/e.klab"
    else
      java_tool org.apache.kafka.tools.EndToEndLatency "$bootstrap" "$e2e_topic" "$e2e_records" all \
        "$record_size" |
        python3 -c '
import re, sys
text = sys.stdin.read()
m = re.search(r"50th = ([\d.]+), 99th = ([\d.]+), 99.9th = ([\d.]+)", text)
print(m.group(1), m.group(2), m.group(3))' >>"$work/e.java"
    fi
  done
done

report="$root/bench/reports/compare_perf.md"
python3 - "$work" "$records" "$rounds" "$partitions" "$rf" "$e2e_records" "${settings[@]}" >"$report.tmp" <<'EOF'
import os, statistics, subprocess, sys
work, records, rounds, partitions, rf, e2e_records = sys.argv[1:7]
settings = sys.argv[7:]
def rows(name):
    path = os.path.join(work, name)
    return [list(map(float, l.split())) for l in open(path) if l.strip()] if os.path.exists(path) else []
def med(rs, i):
    return statistics.median(r[i] for r in rs) if rs else float("nan")
cores = os.cpu_count()
print("# The lab's perf tools against Kafka's own tools\n")
print(f"{subprocess.run(['date', '-u', '+%F'], capture_output=True, text=True).stdout.strip()}, {cores} cores, "
      f"one topic of {partitions} partitions (replication factor {rf}), {records} records of 100 B per run, "
      f"{rounds} rounds, tools alternated in rotating order; medians. Command: `bench/compare_perf.sh "
      f"--records {records} --rounds {rounds} --partitions {partitions}`.\n")
print("## Produce (records/s; latency is send() to acknowledgement, ms)\n")
print("| settings | klab perf produce | raw librdkafka loop | ProducerPerformance (Java) | klab / raw | klab / Java | p50 klab / raw / Java | p99 klab / raw / Java |")
print("|---|---|---|---|---|---|---|---|")
for s, setting in enumerate(settings):
    k, r, j = rows(f"p{s}.klab"), rows(f"p{s}.raw"), rows(f"p{s}.java")
    print(f"| `{setting}` | {med(k,0):,.0f} | {med(r,0):,.0f} | {med(j,0):,.0f} | {med(k,0)/med(r,0):.2f}× | {med(k,0)/med(j,0):.2f}× "
          f"| {med(k,1):.0f} / {med(r,1):.0f} / {med(j,1):.0f} | {med(k,2):.0f} / {med(r,2):.0f} / {med(j,2):.0f} |")
k, j = rows("c.klab"), rows("c.java")
print(f"\n## Consume ({3 * int(records)} records per run, first record to last; the group join is left out in both)\n")
print("| tool | records/s | MiB/s |")
print("|---|---|---|")
print(f"| klab perf consume | {med(k,0):,.0f} | {med(k,1):.1f} |")
print(f"| ConsumerPerformance (Java) | {med(j,0):,.0f} | {med(j,1):.1f} |")
print(f"| klab / Java | {med(k,0)/med(j,0):.2f}× | |")
k, j = rows("e.klab"), rows("e.java")
print(f"\n## End-to-end latency ({e2e_records} round trips, acks=all, one record in flight, ms)\n")
print("| tool | p50 | p99 | p99.9 |")
print("|---|---|---|---|")
print(f"| klab perf e2e | {med(k,0):.2f} | {med(k,1):.2f} | {med(k,2):.2f} |")
print(f"| EndToEndLatency (Java) | {med(j,0):.2f} | {med(j,1):.2f} | {med(j,2):.2f} |")
EOF
mv "$report.tmp" "$report"
cat "$report"
