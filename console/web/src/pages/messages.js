// Message browser (from beginning/end/offset/timestamp, partition, search, live tail) and the
// produce form. Every key, value and header goes into the page as text (textContent), never HTML.
import { enc, get, post, query } from "../api.js";
import { h, replace } from "../dom.js";
import { num, prettyJson, time } from "../format.js";
import { badge, card, guard, mutating, showNotice } from "../ui.js";

const MAX_ROWS = 500;

// An Avro record in the registry's wire format: its schema id; a click shows the schema and the
// subject versions that use it (the bytes themselves stay binary: base64 below).
function schemaBadge(id) {
  const slot = h("div.schema-detail", { "data-testid": "message-schema" });
  const open = () => guard("schema를 읽지 못했습니다", async () => {
    if (slot.firstChild) { slot.replaceChildren(); return; }
    const s = await get(`/api/schemas/ids/${id}`);
    replace(slot,
      h("div.muted", s.used_by.map((u) => `${u.subject} v${u.version}`).join(", ") || "(subject 없음)"),
      h("pre.schema-text", prettyJson(s.schema).text));
  });
  return h("div", h("a.badge.badge-accent", { href: "#", "data-testid": "message-schema-id",
    onclick: (e) => { e.preventDefault(); open(); } }, `Avro schema #${id}`), slot);
}

export function messagesView(topic, detail) {
  const partitionCount = () => detail()?.partitions?.length ?? 0;
  const from = h("select.input", { "data-testid": "browse-from" },
    h("option", { value: "end" }, "최근 (end)"), h("option", { value: "beginning" }, "처음부터 (beginning)"),
    h("option", { value: "offset" }, "offset부터"), h("option", { value: "timestamp" }, "시각부터 (timestamp)"));
  const offset = h("input.input.narrow", { type: "number", min: 0, placeholder: "offset", "data-testid": "browse-offset" });
  const stamp = h("input.input", { type: "datetime-local", step: 1, "data-testid": "browse-timestamp" });
  const partition = h("select.input", { "data-testid": "browse-partition" }, h("option", { value: "" }, "모든 partition"));
  const q = h("input.input.search", { placeholder: "검색어 (대소문자 무시)", "data-testid": "browse-q" });
  const field = h("select.input", { "data-testid": "browse-in" },
    h("option", { value: "any" }, "key·value·header"), h("option", { value: "key" }, "key"),
    h("option", { value: "value" }, "value"), h("option", { value: "header" }, "header"));
  const limit = h("select.input", { "data-testid": "browse-limit" }, [20, 50, 100, 200, 500].map((n) =>
    h("option", { value: n, selected: n === 50 }, `${n}건`)));
  const pretty = h("input", { type: "checkbox", checked: true, "data-testid": "browse-pretty" });
  const info = h("div.browse-info", { "data-testid": "browse-info" });
  const tbody = h("tbody", { "data-testid": "messages-body" });
  const tailBtn = h("button.btn", { "data-testid": "tail-toggle" }, "▶ Live tail");
  let tail = null;
  let lastMessages = [];

  const syncInputs = () => {
    offset.hidden = from.value !== "offset";
    stamp.hidden = from.value !== "timestamp";
  };
  from.addEventListener("change", syncInputs);
  syncInputs();

  const fillPartitions = () => {
    const n = partitionCount();
    if (partition.options.length - 1 === n) return;
    const keep = partition.value;
    replace(partition, h("option", { value: "" }, "모든 partition"),
      Array.from({ length: n }, (_, i) => h("option", { value: i }, `partition ${i}`)));
    partition.value = keep;
  };
  const timer = setInterval(fillPartitions, 500);

  const row = (m, fresh = false) => {
    const key = textCell(m.key, m.key_base64, pretty.checked, "message-key");
    const value = textCell(m.value, m.value_base64, pretty.checked, "message-value");
    return h(`tr.msg-row${fresh ? ".fresh" : ""}`, { "data-testid": "message-row", "data-partition": m.partition, "data-offset": m.offset },
      h("td.num", String(m.partition)),
      h("td.num", { "data-testid": "message-offset" }, String(m.offset)),
      h("td.nowrap.muted", { title: m.timestamp_type ?? "" }, time(m.timestamp_ms)),
      h("td.msg-key", key),
      h("td.msg-value", m.value_schema_id != null ? schemaBadge(m.value_schema_id) : null, value),
      h("td.msg-headers", (m.headers ?? []).map((hd) =>
        h("span.header-chip", { "data-testid": "message-header" },
          h("span.header-key", hd.key ?? ""), h("span.header-eq", "="), h("span.header-val", hd.value ?? "")))));
  };

  const drawRows = (messages) => {
    replace(tbody, messages.length ? messages.map((m) => row(m))
      : h("tr", h("td.empty", { colspan: 6 }, "조건에 맞는 메시지가 없습니다.")));
  };

  // Only the latest search draws: the refresh a produce triggers may answer after a search the
  // user submitted meanwhile, and must not overwrite it.
  let searchSeq = 0;
  const search = () => guard("메시지를 읽지 못했습니다", async () => {
    const seq = ++searchSeq;
    const params = { from: from.value, limit: limit.value, partition: partition.value, q: q.value };
    if (q.value) params.in = field.value;
    if (from.value === "offset") params.offset = offset.value || 0;
    if (from.value === "timestamp") params.timestamp = stamp.value ? new Date(stamp.value).getTime() : Date.now() - 3600_000;
    replace(info, "읽는 중…");
    const res = await get(`/api/topics/${enc(topic)}/messages${query(params)}`);
    if (seq !== searchSeq) return;
    lastMessages = res.messages ?? [];
    drawRows(lastMessages);
    replace(info, h("span", { "data-testid": "browse-count" }, `${num(lastMessages.length)}건 표시`),
      h("span.muted", ` · ${num(res.scanned)}건 스캔`),
      res.truncated ? badge("스캔 한도(10,000건)에 도달: 범위를 좁히세요", "warn", { "data-testid": "browse-truncated" }) : null);
  });

  const stopTail = () => {
    tail?.close();
    tail = null;
    tailBtn.textContent = "▶ Live tail";
    tailBtn.classList.remove("btn-live");
  };
  const startTail = () => {
    // The tail supersedes a search still in flight (the page's first one, on a slow machine):
    // its late answer would overwrite the LIVE badge and the fresh rows.
    searchSeq++;
    const url = `/api/topics/${enc(topic)}/tail${query({ partition: partition.value })}`;
    tail = new EventSource(url);
    tailBtn.textContent = "■ Live tail 멈춤";
    tailBtn.classList.add("btn-live");
    if (!lastMessages.length) tbody.replaceChildren();
    replace(info, badge("LIVE", "live", { "data-testid": "tail-live" }), h("span.muted", " 새 메시지를 기다리는 중… (지금의 끝부터)"));
    tail.addEventListener("message", (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (tbody.querySelector("td.empty")) tbody.replaceChildren();
      tbody.insertBefore(row(m, true), tbody.firstChild);
      while (tbody.children.length > MAX_ROWS) tbody.lastChild.remove();
    });
    tail.onerror = () => {
      if (tail && tail.readyState === EventSource.CLOSED) {
        stopTail();
        replace(info, badge("Live tail 연결이 끊겼습니다", "bad"));
      }
    };
  };
  tailBtn.addEventListener("click", () => (tail ? stopTail() : startTail()));
  pretty.addEventListener("change", () => drawRows(lastMessages));

  const searchBtn = h("button.btn.btn-primary", { "data-testid": "browse-submit", onclick: () => search() }, "조회");
  for (const input of [q, offset, stamp]) input.addEventListener("keydown", (e) => { if (e.key === "Enter") search(); });

  const el = h("div", { "data-testid": "messages-view" },
    produceForm(topic, partitionCount, () => { if (!tail) search(); }),
    card(null,
      h("div.toolbar.wrap",
        from, offset, stamp, partition, q, field, limit, searchBtn,
        h("label.check", pretty, " JSON 보기 좋게"),
        h("div.spacer"), tailBtn),
      info,
      h("div.table-scroll", h("table.table.messages", { "data-testid": "messages-table" },
        h("thead", h("tr", h("th.num", "P"), h("th.num", "Offset"), h("th", "Timestamp"), h("th", "Key"), h("th", "Value"), h("th", "Headers"))),
        tbody))));
  fillPartitions();
  search();
  return { el, dispose: () => { clearInterval(timer); stopTail(); } };
}

/** Key/value cell: null shown as a badge, base64 marked, JSON pretty-printed — always as text. */
function textCell(value, isBase64, prettyOn, testid) {
  if (value === null || value === undefined) return h("span.null", { "data-testid": testid }, "null");
  const shown = prettyOn ? prettyJson(value) : { text: value, json: false };
  return h("div.cell-text",
    isBase64 ? badge("base64", "neutral", { title: "UTF-8이 아닌 bytes" }) : null,
    h(shown.json ? "pre.json" : "span.text", { "data-testid": testid }, shown.text));
}

function produceForm(topic, partitionCount, after) {
  const key = h("input.input", { placeholder: "key (비우면 null)", "data-testid": "produce-key" });
  const value = h("textarea.input.mono", { rows: 3, placeholder: '{"orderId": 1, "amount": 1200}', "data-testid": "produce-value" });
  const partition = h("select.input", { "data-testid": "produce-partition" }, h("option", { value: "" }, "자동 (key hash)"));
  const headers = h("div.config-rows");
  const result = h("div.produce-result", { "data-testid": "produce-result" });
  const addHeader = () => {
    const r = h("div.config-row",
      h("input.input", { placeholder: "header key", "data-testid": "produce-header-key" }),
      h("input.input", { placeholder: "header value", "data-testid": "produce-header-value" }),
      h("button.btn.btn-small", { type: "button", onclick: () => r.remove() }, "✕"));
    headers.appendChild(r);
  };
  const details = h("details.card.produce", { "data-testid": "produce-panel" });
  details.addEventListener("toggle", () => {
    const n = partitionCount();
    replace(partition, h("option", { value: "" }, "자동 (key hash)"), Array.from({ length: n }, (_, i) => h("option", { value: i }, `partition ${i}`)));
  });
  const submit = async (e) => {
    e.preventDefault();
    const hs = [...headers.children].map((r) => {
      const [k, v] = r.querySelectorAll("input");
      return { key: k.value, value: v.value };
    }).filter((x) => x.key);
    await guard("메시지를 보내지 못했습니다", async () => {
      const res = await post(`/api/topics/${enc(topic)}/messages`, {
        key: key.value === "" ? null : key.value,
        value: value.value,
        headers: hs,
        partition: partition.value === "" ? null : Number(partition.value),
      });
      replace(result, badge("보냄", "ok"), ` partition ${res.partition} · offset ${res.offset}에 기록됨 (${time(res.timestamp_ms)})`);
      showNotice(`메시지를 partition ${res.partition}, offset ${res.offset}에 썼습니다.`);
      after();
    });
  };
  const form = mutating(h("form.produce-form", { onsubmit: submit, "data-testid": "produce-form" },
    h("div.form-grid",
      h("label", "Key", key, h("small.muted", "같은 key는 같은 partition으로 갑니다 (순서 보장 단위).")),
      h("label", "Partition", partition)),
    h("label.block", "Value", value),
    h("div.label", "Headers"), headers,
    h("div.form-actions",
      h("button.btn", { type: "button", "data-testid": "produce-add-header", onclick: addHeader }, "+ header 추가"),
      h("div.spacer"), result,
      h("button.btn.btn-primary", { type: "submit", "data-testid": "produce-submit" }, "보내기 (Produce)"))));
  if (!form) return null;
  details.append(h("summary", { "data-testid": "produce-open" }, "✉ 메시지 보내기 (Produce)"), form);
  return details;
}
