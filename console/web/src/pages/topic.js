// Topic detail: header, tabs (partitions picture + table, message browser + produce, configs).
import { enc, get, put } from "../api.js";
import { h, replace } from "../dom.js";
import { num } from "../format.js";
import { onEvent, readOnly, state } from "../state.js";
import { badge, bar, card, guard, loading, mutating, showNotice, stat, table, tabs } from "../ui.js";
import { configDatalist, deleteTopic } from "./topics.js";
import { messagesView } from "./messages.js";

export function render({ params, setTitle }) {
  const name = params.name;
  const tab = params.tab ?? "partitions";
  setTitle("Topic ", h("code.title-code", { "data-testid": "topic-title" }, name));
  const base = `#/topics/${enc(name)}`;
  const head = h("div.topic-head", loading());
  const body = h("div.tab-body");
  const disposers = [];
  let detail = null;
  let configsShown = false;

  const load = () => guard(`'${name}' topic을 불러오지 못했습니다`, async () => {
    detail = await get(`/api/topics/${enc(name)}`);
    drawHead();
    if (tab === "partitions") replace(body, partitionsView(detail));
    if (tab === "configs" && !configsShown) {
      configsShown = true;
      replace(body, configsView(detail, load));
    }
  });

  const drawHead = () => {
    const parts = detail.partitions ?? [];
    const rf = parts.length ? parts[0].replicas.length : 0;
    const ur = parts.filter((p) => p.under_replicated).length;
    replace(head,
      h("div.stats",
        stat("Partition", num(parts.length)), stat("Replication factor", num(rf)),
        stat("메시지", num(parts.reduce((s, p) => s + (p.messages ?? 0), 0)), { "data-testid": "topic-total-messages" }),
        stat("Under-replicated", num(ur), { class: ur ? "stat-warn" : "" }),
        detail.internal ? stat("종류", "internal") : null),
      h("div.spacer"),
      detail.internal ? null : mutating(h("button.btn.btn-ghost-danger", {
        "data-testid": "topic-delete", onclick: () => deleteTopic(name, () => { location.hash = "#/topics"; }),
      }, "Topic 삭제")));
  };

  if (tab === "messages") {
    const view = messagesView(name, () => detail);
    disposers.push(view.dispose);
    replace(body, view.el);
  } else {
    replace(body, loading());
  }
  if (tab === "partitions") disposers.push(onEvent("overview", () => load()));
  load();

  return {
    el: h("div.page", { "data-testid": "topic-page" }, head,
      tabs([
        { id: "partitions", label: "Partition · Replica", href: base },
        { id: "messages", label: "메시지 (Messages)", href: `${base}/messages` },
        { id: "configs", label: "설정 (Configs)", href: `${base}/configs` },
      ], tab), body),
    dispose: () => disposers.forEach((d) => d?.()),
  };
}

/** The picture learners come for: which broker holds which replica, who leads, who is in ISR. */
function replicaMap(detail) {
  const parts = detail.partitions ?? [];
  const known = new Map((state.overview?.brokers ?? []).map((b) => [b.id, b]));
  const ids = new Set(known.keys());
  for (const p of parts) for (const r of p.replicas) ids.add(r);
  const brokers = [...ids].sort((a, b) => a - b);
  const cols = `8rem repeat(${brokers.length}, minmax(7rem, 1fr))`;
  return h("div.replica-map", { "data-testid": "replica-map", style: { gridTemplateColumns: cols } },
    h("div.rm-corner", "Partition × Broker"),
    brokers.map((id) => {
      const b = known.get(id);
      const up = b ? b.up : false;
      return h(`div.rm-broker${up ? "" : ".rm-down"}`, { "data-testid": `rm-broker-${id}` },
        h("b", `Broker ${id}`), up ? badge("up", "ok") : badge("down", "bad"));
    }),
    parts.map((p) => [
      h("div.rm-part", h("b", `P${p.partition}`), h("small.muted", ` ${num(p.messages)}건`)),
      brokers.map((id) => {
        const idx = p.replicas.indexOf(id);
        if (idx < 0) return h("div.rm-cell");
        const leader = p.leader === id;
        const inIsr = p.isr.includes(id);
        const kind = leader ? "leader" : inIsr ? "follower" : "out";
        const label = leader ? "Leader ★" : inIsr ? "Follower (ISR)" : "ISR 밖";
        return h("div.rm-cell", h(`div.replica.replica-${kind}`, {
          "data-testid": `replica-p${p.partition}-b${id}`,
          title: `${label}${idx === 0 ? " · preferred leader" : ""}`,
        }, label, idx === 0 ? h("small", " · 1st") : null));
      }),
    ]));
}

function partitionsView(detail) {
  const parts = detail.partitions ?? [];
  const maxMsgs = Math.max(1, ...parts.map((p) => p.messages ?? 0));
  return h("div",
    card("Replica 배치",
      replicaMap(detail),
      h("div.legend",
        h("span.replica.replica-leader", "Leader ★"), " 읽기/쓰기를 받는 replica  ",
        h("span.replica.replica-follower", "Follower (ISR)"), " leader를 따라잡은 복제본  ",
        h("span.replica.replica-out", "ISR 밖"), " 뒤처졌거나 broker가 죽은 복제본  ",
        h("small.muted", "1st = preferred leader (replica 목록의 첫 번째)"))),
    card("Partition",
      table([{ label: "Partition", num: true }, { label: "Leader", num: true }, { label: "Replicas" }, { label: "ISR" },
        { label: "Low (log start)", num: true }, { label: "High (watermark)", num: true }, { label: "메시지", num: true }, { label: "" }],
      parts.map((p) => h(`tr${p.under_replicated ? ".row-warn" : ""}`, { "data-testid": "partition-row" },
        h("td.num", String(p.partition)),
        h("td.num", p.leader == null || p.leader < 0 ? badge("없음", "bad") : String(p.leader)),
        h("td", p.replicas.join(", ")),
        h("td", p.isr.join(", "), p.under_replicated ? badge("under-replicated", "warn") : null),
        h("td.num", num(p.low)),
        h("td.num", num(p.high)),
        h("td.num", num(p.messages)),
        h("td.bar-cell", bar((p.messages ?? 0) / maxMsgs)))), { "data-testid": "partitions-table" }),
      h("p.hint", "Low는 아직 지워지지 않은 첫 offset, High(high watermark)는 다음에 쓰일 offset입니다. consumer는 High 이전까지만 읽을 수 있습니다.")));
}

function configsView(detail, reload) {
  let onlyChanged = true;
  let filter = "";
  const edits = new Map();
  const listEl = h("div");
  const ro = readOnly();

  const draw = () => {
    const rows = (detail.configs ?? [])
      .filter((c) => !onlyChanged || !c.is_default || edits.has(c.name))
      .filter((c) => c.name.includes(filter))
      .sort((a, b) => a.name.localeCompare(b.name));
    replace(listEl, table([{ label: "이름" }, { label: "값" }, { label: "Source" }, { label: "" }],
      rows.map((c) => {
        const editable = !ro && !c.read_only && !c.sensitive;
        const value = c.sensitive ? "******" : c.value ?? "";
        const cell = editable
          ? h("input.input.config-input", {
            value: edits.has(c.name) ? edits.get(c.name) ?? "" : value, "data-testid": `config-input-${c.name}`,
            oninput: (e) => { if (e.target.value === value) edits.delete(c.name); else edits.set(c.name, e.target.value); saveBtn.disabled = edits.size === 0; },
          })
          : h("code", value === "" ? "(null)" : value);
        return h("tr", { "data-testid": "config-row", "data-config": c.name },
          h("td", h("code", c.name)), h("td", cell),
          h("td.muted", c.source ?? ""),
          h("td", c.is_default ? badge("default", "neutral") : badge("변경됨", "accent"), c.read_only ? badge("read-only", "neutral") : null,
            editable && !c.is_default && c.source === "DYNAMIC_TOPIC_CONFIG"
              ? h("button.btn.btn-small", {
                title: "이 topic의 override를 지우고 기본값으로 되돌립니다", "data-testid": `config-reset-${c.name}`,
                onclick: () => { edits.set(c.name, null); saveBtn.disabled = false; draw(); },
              }, edits.get(c.name) === null ? "기본값으로 (저장 대기)" : "기본값으로")
              : null));
      }), { "data-testid": "configs-table" }));
  };

  const newKey = h("input.input", { list: "config-names", placeholder: "config 이름", "data-testid": "config-new-key" });
  const newVal = h("input.input", { placeholder: "값", "data-testid": "config-new-value" });
  const saveBtn = h("button.btn.btn-primary", {
    disabled: true, "data-testid": "config-save",
    onclick: async () => {
      const configs = Object.fromEntries(edits);
      if (newKey.value.trim()) configs[newKey.value.trim()] = newVal.value;
      await guard("Config를 바꾸지 못했습니다", async () => {
        const res = await put(`/api/topics/${enc(detail.name)}/configs`, { configs });
        if (res?.configs) detail.configs = res.configs;
        edits.clear();
        newKey.value = "";
        newVal.value = "";
        saveBtn.disabled = true;
        showNotice(`${Object.keys(configs).join(", ")} 을(를) 바꿨습니다.`);
        draw();
      });
    },
  }, "변경 저장");
  newKey.addEventListener("input", () => { saveBtn.disabled = edits.size === 0 && !newKey.value.trim(); });

  draw();
  return card(null,
    h("div.toolbar",
      h("input.input.search", { placeholder: "config 이름 거르기", oninput: (e) => { filter = e.target.value; draw(); } }),
      h("label.check", h("input", { type: "checkbox", checked: true, onchange: (e) => { onlyChanged = e.target.checked; draw(); } }),
        " 기본값이 아닌 것만"),
      h("div.spacer"), ro ? badge("읽기 전용: 변경 불가", "warn") : null),
    listEl,
    ro ? null : h("div.form-actions", configDatalist(),
      h("span.label", "추가/변경"), newKey, newVal, h("div.spacer"), saveBtn),
    h("p.hint", "변경은 incremental alter configs로 해당 key만 바꿉니다. 'default'는 broker 기본값을 따르는 값입니다."));
}
