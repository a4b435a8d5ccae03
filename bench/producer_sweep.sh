#!/usr/bin/env bash
# Producer tuning sweep (roadmap 7.1.1): batch.size x linger.ms x compression.type x acks,
# then max.in.flight, each point one `klab perf produce` run on the same topic. Writes
# bench/reports/producer_sweep.md and two charts beside it (throughput, p99 latency; SVG).
#   bench/producer_sweep.sh [--records 200000] [--partitions 6]
# The cluster: KLAB_BOOTSTRAP, else the lab's own (`klab up --nodes 3`). Needs the release
# build (scripts/setup release).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
records=200000
partitions=6
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --partitions) partitions=$2; shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "producer_sweep.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
klab="$root/build/release/tools/klab/klab"
[ -x "$klab" ] || { echo "producer_sweep.sh: build first: scripts/setup release" >&2; exit 1; }
"$klab" status >/dev/null 2>&1 || { echo "producer_sweep.sh: no cluster: start one with ./klab up --nodes 3" >&2; exit 1; }
topic="perf-sweep-$(date -u +%Y%m%d-%H%M%S)"
"$klab" topics create "$topic" --partitions "$partitions" >&2
results=$(mktemp)
trap 'rm -f "$results"' EXIT

point() { # label, then klab perf produce flags
  local label=$1
  shift
  echo "  $label" >&2
  "$klab" perf produce --topic "$topic" --records "$records" "$@" --json 2>/dev/null |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.readlines()[-1]); r["label"]=sys.argv[1]; print(json.dumps(r))' "$label" >>"$results"
}
# Brokers that just started run interpreted/C1 code for a while: warm them up, or the first
# points of the grid come out slow for reasons no setting explains.
echo "  warm-up (not reported)" >&2
"$klab" perf produce --topic "$topic" --records $((records * 5)) --linger-ms 5 --batch-size 262144 >/dev/null 2>&1
for acks in 1 all; do
  for codec in none lz4 zstd; do
    for batch in 16384 65536 262144; do
      for linger in 0 5 20; do
        point "grid" --acks "$acks" --compression "$codec" --batch-size "$batch" --linger-ms "$linger"
      done
    done
  done
done
for inflight in 1 5; do
  point "inflight=$inflight" --acks all --batch-size 65536 --linger-ms 5 -X "max.in.flight.requests.per.connection=$inflight"
done

python3 - "$results" "$root/bench/reports" "$records" "$partitions" "$(nproc)" <<'EOF'
import datetime, html, json, math, sys
results, out_dir, records, partitions, cores = sys.argv[1:6]
rows = [json.loads(l) for l in open(results)]
grid = [r for r in rows if r["label"] == "grid"]
inflight = [r for r in rows if r["label"].startswith("inflight")]
codecs, batches, lingers, ackss = ["none", "lz4", "zstd"], [16384, 65536, 262144], [0, 5, 20], ["1", "all"]
def find(acks, codec, batch, linger):
    for r in grid:
        if r["acks"] == acks and r["compression"] == codec and r["batch_size"] == batch and r["linger_ms"] == linger:
            return r
colors = {16384: "#1f77b4", 65536: "#ff7f0e", 262144: "#2ca02c"}

def chart(metric, title, unit, path):
    pw, ph, ml, mt = 230, 170, 60, 40  # panel size, margins
    W, H = ml + 3 * (pw + 30) + 140, mt + 2 * (ph + 60) + 20
    values = [metric(r) for r in grid]
    # Four gridlines at a round step (1, 2 or 5 x 10^k) that covers the largest value.
    raw_step = max(values) / 4
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    top = 4 * step
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{ml}" y="20" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for ai, acks in enumerate(ackss):
        for ci, codec in enumerate(codecs):
            x0, y0 = ml + ci * (pw + 30), mt + ai * (ph + 60)
            out.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>')
            out.append(f'<text x="{x0 + pw / 2}" y="{y0 - 6}" text-anchor="middle">acks={acks}, compression={codec}</text>')
            for k in range(5):
                v = top * k / 4
                y = y0 + ph - ph * k / 4
                out.append(f'<line x1="{x0}" x2="{x0 + pw}" y1="{y}" y2="{y}" stroke="#eee"/>')
                if ci == 0:
                    out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{v:,.0f}</text>')
            for li, linger in enumerate(lingers):
                x = x0 + 20 + li * (pw - 40) / 2
                out.append(f'<text x="{x}" y="{y0 + ph + 14}" text-anchor="middle">{linger}</text>')
            out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 28}" text-anchor="middle" fill="#555">linger.ms</text>')
            for batch in batches:
                pts = []
                for li, linger in enumerate(lingers):
                    r = find(acks, codec, batch, linger)
                    if r is None:
                        continue
                    x = x0 + 20 + li * (pw - 40) / 2
                    y = y0 + ph - ph * metric(r) / top
                    pts.append(f"{x:.1f},{y:.1f}")
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colors[batch]}"/>')
                out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colors[batch]}" stroke-width="2"/>')
    lx = ml + 3 * (pw + 30)
    out.append(f'<text x="{lx}" y="{mt + 10}" font-weight="bold">batch.size</text>')
    for i, batch in enumerate(batches):
        out.append(f'<rect x="{lx}" y="{mt + 20 + i * 18}" width="12" height="12" fill="{colors[batch]}"/>')
        out.append(f'<text x="{lx + 18}" y="{mt + 30 + i * 18}">{batch // 1024} KiB</text>')
    out.append(f'<text x="{lx}" y="{mt + 100}" fill="#555">{html.escape(unit)}</text>')
    out.append("</svg>")
    open(f"{out_dir}/{path}", "w").write("\n".join(out) + "\n")

chart(lambda r: r["records_per_s"], "Producer throughput by setting", "records/s", "producer_sweep_throughput.svg")
chart(lambda r: r["latency_ms"]["p99"], "Producer p99 latency by setting (send() to acknowledgement)", "p99 ms", "producer_sweep_latency.svg")

with open(f"{out_dir}/producer_sweep.md", "w") as md:
    md.write("# Producer tuning sweep\n\n")
    md.write(f"{datetime.date.today()}, {cores} cores, `bench/producer_sweep.sh --records {records} --partitions {partitions}` "
             f"(release build): one topic of {partitions} partitions, {records} keyless 100-byte records per point, "
             "one run per point, so read the shape, not the third digit.\n\n")
    md.write("![throughput](producer_sweep_throughput.svg)\n\n![p99 latency](producer_sweep_latency.svg)\n\n")
    md.write("| acks | compression | batch.size | linger.ms | records/s | p50 ms | p99 ms | produce requests | records/request | compression ratio |\n")
    md.write("|---|---|---|---|---|---|---|---|---|---|\n")
    for acks in ackss:
        for codec in codecs:
            for batch in batches:
                for linger in lingers:
                    r = find(acks, codec, batch, linger)
                    if r:
                        md.write(f"| {acks} | {codec} | {batch} | {linger} | {r['records_per_s']:,.0f} | {r['latency_ms']['p50']:.1f} | "
                                 f"{r['latency_ms']['p99']:.1f} | {r['produce_requests']} | {r['records_per_request']:.0f} | {r['compression_ratio']:.2f} |\n")
    md.write("\n## max.in.flight.requests.per.connection (acks=all, batch.size 65536, linger.ms 5)\n\n")
    md.write("| max.in.flight | records/s | p50 ms | p99 ms | produce requests |\n|---|---|---|---|---|\n")
    for r in inflight:
        md.write(f"| {r['label'].split('=')[1]} | {r['records_per_s']:,.0f} | {r['latency_ms']['p50']:.1f} | {r['latency_ms']['p99']:.1f} | {r['produce_requests']} |\n")
print(open(f"{out_dir}/producer_sweep.md").read())
EOF
