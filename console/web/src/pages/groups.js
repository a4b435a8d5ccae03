// Consumer groups: state, protocol, members, total lag, topics.
import { enc, get } from "../api.js";
import { h, replace } from "../dom.js";
import { num } from "../format.js";
import { onEvent } from "../state.js";
import { bar, guard, loading, stateBadge, table } from "../ui.js";

export function render({ setTitle }) {
  setTitle("Consumer Group", h("span.muted.title-sub", " 목록"));
  const listEl = h("div", loading());
  let filter = "";
  let groups = null;

  const draw = (res) => {
    if (res) groups = res.groups ?? [];
    if (!groups) return;
    const shown = groups.filter((g) => g.group_id.toLowerCase().includes(filter.toLowerCase()))
      .sort((a, b) => a.group_id.localeCompare(b.group_id));
    const maxLag = Math.max(1, ...shown.map((g) => g.total_lag ?? 0));
    replace(listEl, table(
      [{ label: "Group ID" }, { label: "State" }, { label: "Protocol" }, { label: "Member", num: true },
        { label: "Topic" }, { label: "Total lag", num: true }, { label: "" }],
      shown.map((g) => h("tr", { "data-testid": "group-row", "data-group": g.group_id },
        h("td", h("a.strong", { href: `#/groups/${enc(g.group_id)}`, "data-testid": "group-link" }, g.group_id)),
        h("td", stateBadge(g.state)),
        h("td.muted", [g.protocol_type, g.protocol].filter(Boolean).join(" / ") || "–"),
        h("td.num", num(g.members)),
        h("td", (g.topics ?? []).map((t) => h("a.chip", { href: `#/topics/${enc(t)}` }, t))),
        h("td.num", { "data-testid": "group-lag" }, num(g.total_lag)),
        h("td.bar-cell", bar((g.total_lag ?? 0) / maxLag, g.total_lag ? "warn" : "ok")))),
      { "data-testid": "groups-table" }));
  };

  guard("Consumer Group 목록을 불러오지 못했습니다", async () => draw(await get("/api/groups")));
  const off = onEvent("groups", draw);
  return {
    el: h("div.page", { "data-testid": "groups-page" },
      h("div.toolbar", h("input.input.search", { placeholder: "Group ID로 거르기", oninput: (e) => { filter = e.target.value; draw(); } })),
      listEl,
      h("p.hint", "Lag = partition의 끝(end offset, high watermark) − group이 commit한 offset. 처리할 메시지가 얼마나 밀려 있는지 보여 줍니다.")),
    dispose: off,
  };
}
