#!/usr/bin/env bash
# Consumer tuning sweep (roadmap 7.1.2): max.partition.fetch.bytes x fetch.min.bytes, each point
# the median of --rounds `klab perf consume` runs (points rotated per round) on the same filled
# topic, page cache warm. Writes bench/reports/consumer_sweep.md and consumer_sweep.svg.
# (How many consumers help is asserted in the 7.1.2 lesson: up to the partition count.)
#   bench/consumer_sweep.sh [--records 1000000] [--partitions 6] [--rounds 3]
# The cluster: KLAB_BOOTSTRAP, else the lab's own (`klab up --nodes 3`). Needs the release
# build (scripts/setup release).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
records=1000000
partitions=6
rounds=3
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "consumer_sweep.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
klab="$root/build/release/tools/klab/klab"
[ -x "$klab" ] || { echo "consumer_sweep.sh: build first: scripts/setup release" >&2; exit 1; }
"$klab" status >/dev/null 2>&1 || { echo "consumer_sweep.sh: no cluster: start one with ./klab up --nodes 3" >&2; exit 1; }
topic="perf-csweep-$(date -u +%Y%m%d-%H%M%S)"
"$klab" topics create "$topic" --partitions "$partitions" >&2
echo "filling $topic with $records records" >&2
"$klab" perf produce --topic "$topic" --records "$records" --linger-ms 10 --batch-size 262144 >/dev/null 2>&1
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# A first read warms the page cache and the brokers.
"$klab" perf consume --topic "$topic" --records "$records" >/dev/null 2>&1
points=("65536 1" "65536 100000" "262144 1" "262144 100000" "1048576 1" "1048576 100000")
for ((round = 0; round < rounds; round++)); do
  for ((k = 0; k < ${#points[@]}; k++)); do
    # shellcheck disable=SC2206 # two words on purpose
    p=(${points[(k + round) % ${#points[@]}]})
    echo "  round $((round + 1))/$rounds: max.partition.fetch.bytes=${p[0]} fetch.min.bytes=${p[1]}" >&2
    "$klab" perf consume --topic "$topic" --records "$records" --json \
      -X "max.partition.fetch.bytes=${p[0]}" -X "fetch.min.bytes=${p[1]}" 2>/dev/null |
      python3 -c 'import json,sys; r=json.loads(sys.stdin.readlines()[-1]); r["fetch"]=int(sys.argv[1]); r["min"]=int(sys.argv[2]); print(json.dumps(r))' "${p[0]}" "${p[1]}" >>"$results"
  done
done

python3 - "$results" "$root/bench/reports" "$records" "$partitions" "$(nproc)" "$rounds" <<'PY'
import datetime, json, statistics, sys
res, out, records, partitions, cores, rounds = sys.argv[1:7]
runs = [json.loads(l) for l in open(res)]
points = []
for fetch in (65536, 262144, 1048576):
    for low in (1, 100000):
        rs = [r for r in runs if r["fetch"] == fetch and r["min"] == low]
        med = lambda k: statistics.median(r[k] for r in rs)
        points.append({"fetch": fetch, "min": low, "records_per_s": med("records_per_s"),
                       "mib_per_s": med("mib_per_s"), "fetch_requests": med("fetch_requests"),
                       "spread": (min(r["records_per_s"] for r in rs), max(r["records_per_s"] for r in rs))})
W, H, ml, mt, pw, ph = 560, 330, 70, 40, 460, 220
top = max(p["spread"][1] for p in points) * 1.15
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{ml}" y="{mt - 14}" font-size="13" font-weight="bold">One consumer: records/s by fetch settings (median, min-max)</text>',
       f'<rect x="{ml}" y="{mt}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>']
bw = pw / len(points)
for i, p in enumerate(points):
    h = ph * p["records_per_s"] / top
    x = ml + i * bw + bw * 0.15
    color = "#1f77b4" if p["min"] == 1 else "#ff7f0e"
    svg.append(f'<rect x="{x:.1f}" y="{mt + ph - h:.1f}" width="{bw * 0.7:.1f}" height="{h:.1f}" fill="{color}"/>')
    lo, hi = (mt + ph - ph * v / top for v in p["spread"])
    cx = x + bw * 0.35
    svg.append(f'<line x1="{cx:.1f}" x2="{cx:.1f}" y1="{lo:.1f}" y2="{hi:.1f}" stroke="#333"/>')
    svg.append(f'<text x="{cx:.1f}" y="{hi - 4:.1f}" text-anchor="middle">{p["records_per_s"] / 1e6:.2f}M</text>')
    svg.append(f'<text x="{cx:.1f}" y="{mt + ph + 14}" text-anchor="middle">{p["fetch"] // 1024} KiB</text>')
    svg.append(f'<text x="{cx:.1f}" y="{mt + ph + 26}" text-anchor="middle" fill="#555">min {p["min"]}</text>')
svg.append(f'<text x="{ml}" y="{H - 12}" fill="#555">max.partition.fetch.bytes; blue: fetch.min.bytes=1, orange: 100000</text>')
svg.append("</svg>")
open(f"{out}/consumer_sweep.svg", "w").write("\n".join(svg) + "\n")
with open(f"{out}/consumer_sweep.md", "w") as md:
    md.write("# Consumer tuning sweep\n\n")
    md.write(f"{datetime.date.today()}, {cores} cores, `bench/consumer_sweep.sh --records {records} --partitions {partitions} --rounds {rounds}` "
             f"(release build): one topic of {partitions} partitions, {records} records of 100 B, page cache warm; "
             f"median of {rounds} runs per point, points rotated per round.\n\n")
    md.write("![consumer sweep](consumer_sweep.svg)\n\n")
    md.write("| max.partition.fetch.bytes | fetch.min.bytes | records/s (median) | min - max | MiB/s | fetch requests | records per fetch |\n")
    md.write("|---|---|---|---|---|---|---|\n")
    for p in points:
        per = int(records) / p["fetch_requests"] if p["fetch_requests"] else 0
        md.write(f"| {p['fetch']} | {p['min']} | {p['records_per_s']:,.0f} | {p['spread'][0]:,.0f} - {p['spread'][1]:,.0f} | "
                 f"{p['mib_per_s']:.1f} | {p['fetch_requests']:.0f} | {per:,.0f} |\n")
print(open(f"{out}/consumer_sweep.md").read())
PY
