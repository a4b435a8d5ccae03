// A consumer group's rebalance timeline (7.3.2): a band for the group's state, one lane per
// member with the time it was in the group, and a mark at every change; below, the latest
// changes in words. A storm reads at a glance: a striped state band and lanes that break off.
import { h, svg } from "./dom.js";
import { time } from "./format.js";

const STATE_COLORS = {
  Stable: "var(--ok)",
  PreparingRebalance: "var(--warn)",
  CompletingRebalance: "#e0b84a",
  Empty: "#b8bfcc",
  Dead: "#6b7385",
};
const W = 1000;
const BAND = 18;
const LANE = 22;
const LABEL = 150;
const MAX_LANES = 16;

const short = (id) => (id.length > 22 ? `${id.slice(0, 12)}…${id.slice(-8)}` : id);

/** Describes one change: who joined, who left, what moved. */
export function describeChange(e) {
  const parts = [];
  if (e.joined?.length) parts.push(`합류 ${e.joined.map(short).join(", ")}`);
  if (e.left?.length) parts.push(`떠남 ${e.left.map(short).join(", ")}`);
  if (e.moved?.length) parts.push(`partition ${e.moved.length}개 이동`);
  return parts.length ? parts.join(" · ") : "state만 바뀜";
}

/** The timeline as an element; `entries` oldest first (the API's "timeline"). */
export function rebalanceTimeline(entries, now = Date.now()) {
  if (!entries?.length)
    return h("p.hint", { "data-testid": "timeline-empty" }, "아직 기록된 변화가 없습니다. console이 refresh할 때마다 group을 보고, 바뀐 것만 남깁니다.");
  const t0 = entries[0].t_ms;
  const t1 = Math.max(now, entries[entries.length - 1].t_ms + 1);
  const x = (t) => LABEL + ((t - t0) / (t1 - t0)) * (W - LABEL);
  const ends = entries.map((e, i) => (i + 1 < entries.length ? entries[i + 1].t_ms : t1));

  // Members in order of first appearance; each lane has a segment per entry it was in. A storm
  // makes a new member id at every rejoin: only the MAX_LANES seen last get a lane.
  const lastSeen = new Map();
  entries.forEach((e, i) => e.members.forEach((m) => lastSeen.set(m.member_id, i)));
  const recent = new Set([...lastSeen.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_LANES).map(([id]) => id));
  const hidden = lastSeen.size - recent.size;
  const lanes = [];
  const laneOf = new Map();
  entries.forEach((e) => e.members.forEach((m) => {
    if (recent.has(m.member_id) && !laneOf.has(m.member_id)) {
      laneOf.set(m.member_id, lanes.length);
      lanes.push(m);
    }
  }));
  const height = BAND + 8 + lanes.length * LANE + 6;
  const shapes = [];
  entries.forEach((e, i) => {
    shapes.push(svg("rect", { x: x(e.t_ms), y: 0, width: Math.max(1, x(ends[i]) - x(e.t_ms)), height: BAND,
      fill: STATE_COLORS[e.state] ?? "#999", "data-testid": "timeline-state", "data-state": e.state },
    svg("title", `${time(e.t_ms)} ${e.state}`)));
    e.members.forEach((m) => {
      const lane = laneOf.get(m.member_id);
      if (lane === undefined) return;
      shapes.push(svg("rect", { x: x(e.t_ms), y: BAND + 8 + lane * LANE, width: Math.max(1, x(ends[i]) - x(e.t_ms)),
        height: LANE - 6, rx: 3, fill: "var(--ok-soft)", stroke: "var(--ok)", "stroke-width": 0.5 },
      svg("title", `${m.member_id}\n${m.partitions.join(", ") || "partition 없음"}`)));
    });
    if (i > 0) shapes.push(svg("line", { x1: x(e.t_ms), x2: x(e.t_ms), y1: 0, y2: height, stroke: "var(--bad)",
      "stroke-width": 1, "stroke-dasharray": "3 2", "data-testid": "timeline-mark" }, svg("title", `${time(e.t_ms)} ${describeChange(e)}`)));
  });
  const labels = lanes.map((m, lane) => svg("text", { x: 4, y: BAND + 8 + lane * LANE + 12, "font-size": 11,
    "data-testid": "timeline-lane", "data-member": m.member_id }, `${m.client_id} ${short(m.member_id).slice(-9)}`));
  labels.unshift(svg("text", { x: 4, y: 13, "font-size": 11 }, "state"));

  const changes = entries.slice(1).reverse().slice(0, 10);
  return h("div", { "data-testid": "timeline" },
    svg("svg", { viewBox: `0 0 ${W} ${height}`, width: "100%", role: "img", "data-testid": "timeline-svg",
      "aria-label": `rebalance timeline: ${entries.length - 1} changes` }, labels, shapes),
    hidden > 0 ? h("p.hint", { "data-testid": "timeline-hidden" }, `member ${hidden}개는 더 이전에 떠나 lane을 생략했습니다(합계 ${lastSeen.size}개: rejoin할 때마다 새 member id).`) : null,
    h("div.muted.small", Object.entries(STATE_COLORS).map(([s, c]) =>
      h("span", { style: { marginRight: "12px" } }, h("span", { style: { display: "inline-block", width: "10px", height: "10px", background: c, marginRight: "4px" } }), s))),
    changes.length
      ? h("ul.timeline-changes", changes.map((e) => h("li", { "data-testid": "timeline-change" },
        h("code.small", time(e.t_ms).slice(11, 19)), " ", h("strong", e.state), " · ", describeChange(e))))
      : h("p.hint", "처음 본 뒤로 바뀐 것이 없습니다: 안정된 group입니다."));
}
