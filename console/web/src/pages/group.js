// Consumer group detail: members + assignments, per-partition committed/end/lag, the total-lag
// chart (history from the server, then live), and reset offsets (only when the group is Empty).
import { enc, get, post } from "../api.js";
import { timeChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { num } from "../format.js";
import { rebalanceTimeline } from "../timeline.js";
import { onEvent, readOnly, state } from "../state.js";
import { bar, card, confirmTyped, guard, loading, showNotice, stat, stateBadge, table } from "../ui.js";

export function render({ params, setTitle }) {
  const id = params.id;
  setTitle("Consumer Group ", h("code.title-code", { "data-testid": "group-title" }, id));
  const head = h("div", loading());
  const chart = timeChart({ title: "Total lag (최근 30분)", testid: "lag-chart", height: 200, format: (v) => num(Math.round(v)) });
  const members = h("div");
  const timeline = h("div");
  const offsets = h("div");
  const reset = h("div");
  const history = { t: [], lag: [] };
  // The reset form is redrawn on every refresh: keep what the learner chose across redraws.
  const choice = { to: "earliest", topic: "", stamp: "", offset: "" };

  const draw = (g) => {
    replace(head, h("div.stats",
      stat("State", stateBadge(g.state)),
      stat("Total lag", h("span", { "data-testid": "group-total-lag" }, num(g.total_lag))),
      stat("Member", num(g.members?.length ?? 0), { "data-testid": "group-member-count" }),
      stat("Protocol", [g.protocol_type, g.protocol].filter(Boolean).join(" / ") || "–"),
      stat("Coordinator", g.coordinator == null ? "–" : `broker ${g.coordinator}`)));

    // Lag history: the server's record, then every refresh appends (same timestamps dedup).
    for (const p of g.lag_history ?? []) {
      if (!history.t.length || p.t_ms > history.t[history.t.length - 1]) {
        history.t.push(p.t_ms);
        history.lag.push(p.lag);
      }
    }
    const cutoff = Date.now() - 30 * 60_000;
    while (history.t.length && history.t[0] < cutoff) {
      history.t.shift();
      history.lag.shift();
    }
    chart.setData(history.t, { "total lag": history.lag });

    replace(members, table([{ label: "Member ID" }, { label: "Client ID" }, { label: "Host" }, { label: "할당된 partition" }],
      (g.members ?? []).map((m) => h("tr", { "data-testid": "member-row" },
        h("td", h("code.small", m.member_id)), h("td", m.client_id), h("td.muted", m.host),
        h("td", (m.assignment ?? []).map((a) => h("span.chip", `${a.topic}-${a.partition}`))))),
      { "data-testid": "members-table" }),
    g.members?.length ? null : h("p.hint", "지금 접속한 member가 없습니다 (Empty). commit된 offset은 남아 있어서 다시 접속하면 이어서 읽습니다."));

    const maxLag = Math.max(1, ...(g.offsets ?? []).map((o) => o.lag ?? 0));
    replace(offsets, table([{ label: "Topic" }, { label: "Partition", num: true }, { label: "Committed", num: true },
      { label: "End", num: true }, { label: "Lag", num: true }, { label: "" }],
    (g.offsets ?? []).map((o) => h("tr", { "data-testid": "offset-row", "data-topic": o.topic, "data-partition": o.partition },
      h("td", h("a", { href: `#/topics/${enc(o.topic)}` }, o.topic)), h("td.num", String(o.partition)),
      h("td.num", { "data-testid": "offset-committed" }, o.committed == null || o.committed < 0 ? "–" : num(o.committed)),
      h("td.num", num(o.end)),
      h("td.num", { "data-testid": "offset-lag" }, num(o.lag)),
      h("td.bar-cell", bar((o.lag ?? 0) / maxLag, o.lag ? "warn" : "ok")))),
    { "data-testid": "offsets-table" }));

    replace(timeline, rebalanceTimeline(g.timeline ?? []));
    replace(reset, resetPanel(g, load, choice));
  };

  const load = () => guard(`'${id}' group을 불러오지 못했습니다`, async () => draw(await get(`/api/groups/${enc(id)}`)));
  load();
  const off = onEvent("groups", () => load());
  // Without the event stream (or between refreshes) poll at the server's refresh pace.
  const timer = setInterval(load, Math.max(1000, state.config?.refresh_ms ?? 5000));

  return {
    el: h("div.page", { "data-testid": "group-page" }, head,
      card(null, chart.el, h("p.hint", "consumer가 따라잡으면 0으로 내려가고, producer가 더 빨리 쓰면 올라갑니다.")),
      h("div.grid-2", card("Partition별 offset", offsets), card("Member와 할당 (assignment)", members)),
      card("Rebalance timeline (최근 30분)", timeline,
        h("p.hint", "console이 refresh할 때마다 본 group의 state, member, 할당 중 바뀐 것만 남깁니다. 빨간 점선이 변화, 끊긴 lane은 나간 member입니다. 폭풍(7.3.2)은 state 띠가 줄무늬처럼 보입니다.")),
      reset),
    dispose: () => { off(); clearInterval(timer); chart.dispose(); },
  };
}

function resetPanel(g, reload, choice) {
  if (readOnly()) return null;
  const allowed = g.state === "Empty" || g.state === "Dead" || g.state === "Unknown";
  const to = h("select.input", { "data-testid": "reset-to", disabled: !allowed },
    h("option", { value: "earliest" }, "earliest (처음)"), h("option", { value: "latest" }, "latest (끝)"),
    h("option", { value: "offset" }, "offset (지정한 위치)"), h("option", { value: "timestamp" }, "timestamp (시각)"));
  const stamp = h("input.input", { type: "datetime-local", step: 1, hidden: true, "data-testid": "reset-timestamp", disabled: !allowed });
  const offset = h("input.input", { type: "number", min: 0, step: 1, hidden: true, placeholder: "offset", "data-testid": "reset-offset", disabled: !allowed });
  const showInputs = () => { stamp.hidden = to.value !== "timestamp"; offset.hidden = to.value !== "offset"; };
  to.addEventListener("change", () => { choice.to = to.value; showInputs(); });
  stamp.addEventListener("input", () => { choice.stamp = stamp.value; });
  offset.addEventListener("input", () => { choice.offset = offset.value; });
  const topics = [...new Set((g.offsets ?? []).map((o) => o.topic))];
  const topic = h("select.input", { "data-testid": "reset-topic", disabled: !allowed, onchange: () => { choice.topic = topic.value; } },
    h("option", { value: "" }, "모든 topic"), topics.map((t) => h("option", { value: t }, t)));
  to.value = choice.to;
  stamp.value = choice.stamp;
  offset.value = choice.offset;
  showInputs();
  topic.value = topics.includes(choice.topic) ? choice.topic : "";
  const go = async () => {
    const body = { to: to.value, confirm: g.group_id };
    if (topic.value) body.topic = topic.value;
    if (to.value === "timestamp") {
      if (!stamp.value) { stamp.focus(); return; }
      body.timestamp_ms = new Date(stamp.value).getTime();
    }
    if (to.value === "offset") {
      if (offset.value === "" || Number(offset.value) < 0) { offset.focus(); return; }
      body.offset = Number(offset.value);
    }
    const ok = await confirmTyped({
      title: "Offset 초기화 (reset offsets)",
      explain: `'${g.group_id}' group의 commit된 offset을 ${to.value}(으)로 옮깁니다. 다음에 접속하면 그 위치부터 다시 읽습니다.`,
      expected: g.group_id, action: "초기화",
    });
    if (!ok) return;
    await guard("Offset을 초기화하지 못했습니다", async () => {
      const res = await post(`/api/groups/${enc(g.group_id)}/reset-offsets`, body);
      showNotice(`${res.offsets?.length ?? 0}개 partition의 offset을 옮겼습니다.`);
      reload();
    });
  };
  return card("Offset 초기화 (reset offsets)",
    h("div.toolbar.wrap", to, stamp, offset, topic,
      h("button.btn.btn-danger", { "data-testid": "reset-submit", disabled: !allowed, onclick: go }, "초기화…")),
    allowed
      ? h("p.hint", "group에 member가 없을 때(Empty)만 안전하게 옮길 수 있습니다.")
      : h("p.hint.warn-text", { "data-testid": "reset-disabled-reason" },
        `지금 state가 ${g.state}라서 초기화할 수 없습니다. 모든 consumer를 멈춰 group이 Empty가 되면 가능합니다.`));
}
