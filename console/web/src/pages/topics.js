// Topics: the list, the create form (with configs) and delete with a typed confirmation.
import { del, enc, get, post, query } from "../api.js";
import { h, replace } from "../dom.js";
import { bytes, num } from "../format.js";
import { onEvent, state } from "../state.js";
import { badge, bar, confirmTyped, guard, loading, mutating, showNotice, table } from "../ui.js";

// Topic configs a learner most often sets, with what they do (shown as suggestions).
export const commonConfigs = [
  ["cleanup.policy", "delete | compact — 오래된 segment를 지울지, key마다 마지막 값만 남길지"],
  ["retention.ms", "메시지를 보관하는 시간 (ms). -1 = 무한"],
  ["retention.bytes", "partition당 보관할 최대 크기"],
  ["min.insync.replicas", "acks=all 쓰기가 성공하려면 필요한 ISR 수"],
  ["segment.bytes", "log segment 파일 하나의 크기"],
  ["segment.ms", "segment를 굴리는(roll) 주기"],
  ["max.message.bytes", "record batch 최대 크기"],
  ["compression.type", "producer | gzip | snappy | lz4 | zstd | uncompressed"],
  ["message.timestamp.type", "CreateTime | LogAppendTime"],
  ["delete.retention.ms", "compact topic에서 tombstone을 남겨 두는 시간"],
];

export function configDatalist() {
  return h("datalist#config-names", commonConfigs.map(([k, d]) => h("option", { value: k }, d)));
}

export function render({ setTitle }) {
  setTitle("Topic", h("span.muted.title-sub", " 목록"));
  let showInternal = false;
  let filter = "";
  let topics = null;
  const listEl = h("div", loading());
  const formSlot = h("div");

  const load = () => guard("Topic 목록을 불러오지 못했습니다", async () => {
    const res = await get(`/api/topics${query({ internal: showInternal })}`);
    topics = res.topics ?? [];
    draw();
  });

  const draw = () => {
    if (!topics) return;
    const shown = topics.filter((t) => t.name.toLowerCase().includes(filter.toLowerCase()))
      .sort((a, b) => a.name.localeCompare(b.name));
    const maxSize = Math.max(1, ...shown.map((t) => t.size_bytes ?? 0));
    replace(listEl, table(
      [{ label: "이름" }, { label: "Partition", num: true }, { label: "RF", num: true, title: "replication factor" },
        { label: "Under-replicated", num: true }, { label: "메시지", num: true }, { label: "크기", num: true }, { label: "" }, { label: "" }],
      shown.map((t) => h("tr", { "data-testid": "topic-row", "data-topic": t.name },
        h("td", h("a.strong", { href: `#/topics/${enc(t.name)}`, "data-testid": "topic-link" }, t.name),
          t.internal ? badge("internal", "neutral") : null),
        h("td.num", num(t.partitions)),
        h("td.num", num(t.replication_factor)),
        h("td.num", t.under_replicated ? badge(num(t.under_replicated), "warn") : "0",
          t.offline ? badge(`offline ${t.offline}`, "bad") : null),
        h("td.num", { "data-testid": "topic-messages" }, num(t.messages)),
        h("td.num", bytes(t.size_bytes)),
        h("td.bar-cell", bar((t.size_bytes ?? 0) / maxSize)),
        h("td.actions", t.internal ? null : mutating(h("button.btn.btn-small.btn-ghost-danger", {
          "data-testid": "topic-delete", onclick: () => deleteTopic(t.name, load),
        }, "삭제"))))),
      { "data-testid": "topics-table" }));
  };

  const toolbar = h("div.toolbar",
    h("input.input.search", {
      placeholder: "Topic 이름으로 거르기", "data-testid": "topic-filter",
      oninput: (e) => { filter = e.target.value; draw(); },
    }),
    h("label.check", h("input", { type: "checkbox", onchange: (e) => { showInternal = e.target.checked; load(); } }),
      " internal topic 보기 (__consumer_offsets …)"),
    h("div.spacer"),
    mutating(h("button.btn.btn-primary", { "data-testid": "topic-create-open", onclick: () => openForm() }, "+ Topic 만들기")));

  const openForm = () => {
    if (formSlot.firstChild) { formSlot.replaceChildren(); return; }
    replace(formSlot, createForm(() => { formSlot.replaceChildren(); load(); }));
    formSlot.querySelector("input")?.focus();
  };

  const off = onEvent("overview", () => load());
  load();
  return { el: h("div.page", { "data-testid": "topics-page" }, toolbar, formSlot, listEl), dispose: off };
}

export async function deleteTopic(name, after) {
  const ok = await confirmTyped({
    title: "Topic 삭제",
    explain: `'${name}' topic과 그 안의 모든 메시지를 지웁니다. 되돌릴 수 없습니다.`,
    expected: name,
    action: "삭제",
  });
  if (!ok) return;
  await guard("Topic을 삭제하지 못했습니다", async () => {
    await del(`/api/topics/${enc(name)}${query({ confirm: name })}`);
    showNotice(`'${name}' topic을 삭제했습니다.`);
    after?.();
  });
}

function createForm(done) {
  const brokers = state.overview?.brokers?.filter((b) => b.up).length || 1;
  const name = h("input.input", { "data-testid": "topic-name", placeholder: "orders", required: true, pattern: "[A-Za-z0-9._-]{1,249}" });
  const partitions = h("input.input.narrow", { "data-testid": "topic-partitions", type: "number", min: 1, max: 1000, value: 3 });
  const rf = h("input.input.narrow", { "data-testid": "topic-rf", type: "number", min: 1, max: brokers, value: Math.min(3, brokers) });
  const configRows = h("div.config-rows");
  const addConfig = (k = "", v = "") => {
    const row = h("div.config-row",
      h("input.input", { list: "config-names", placeholder: "config 이름 (예: retention.ms)", value: k, "data-testid": "topic-config-key" }),
      h("input.input", { placeholder: "값", value: v, "data-testid": "topic-config-value" }),
      h("button.btn.btn-small", { type: "button", onclick: () => row.remove(), title: "지우기" }, "✕"));
    configRows.appendChild(row);
  };
  const submit = async (e) => {
    e.preventDefault();
    const configs = {};
    for (const row of configRows.children) {
      const [k, v] = row.querySelectorAll("input");
      if (k.value.trim()) configs[k.value.trim()] = v.value;
    }
    await guard("Topic을 만들지 못했습니다", async () => {
      const res = await post("/api/topics", {
        name: name.value.trim(), partitions: Number(partitions.value), replication_factor: Number(rf.value), configs,
      });
      showNotice(`'${res?.name ?? name.value}' topic을 만들었습니다.`);
      done();
    });
  };
  return h("form.card.form", { onsubmit: submit, "data-testid": "topic-create-form" },
    h("h2.card-title", "새 Topic 만들기"),
    configDatalist(),
    h("div.form-grid",
      h("label", "이름", name, h("small.muted", "영문, 숫자, . _ - (최대 249자)")),
      h("label", "Partition 수", partitions, h("small.muted", "병렬성의 단위. 나중에 늘릴 수는 있어도 줄일 수는 없습니다.")),
      h("label", "Replication factor", rf, h("small.muted", `각 partition을 몇 개의 broker에 복제할지 (살아 있는 broker ${brokers}대)`))),
    h("div.label", "Config (선택)"), configRows,
    h("div.form-actions",
      h("button.btn", { type: "button", onclick: () => addConfig() }, "+ config 추가"),
      h("div.spacer"),
      h("button.btn", { type: "button", onclick: done }, "취소"),
      h("button.btn.btn-primary", { type: "submit", "data-testid": "topic-create-submit" }, "만들기")));
}
