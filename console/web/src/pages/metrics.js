// Metrics: live charts of messages-in and bytes-in per topic and per broker, and a broker table.
import { get } from "../api.js";
import { busiest, timeChart } from "../chart.js";
import { h, replace } from "../dom.js";
import { bytes, rate } from "../format.js";
import { onEvent } from "../state.js";
import { badge, card, guard, loading, table } from "../ui.js";

export function render({ setTitle }) {
  setTitle("지표", h("span.muted.title-sub", " Metrics"));
  const charts = {
    topicMsgs: timeChart({ title: "Topic별 messages-in (건/초)", testid: "chart-topic-messages", format: rate }),
    topicBytes: timeChart({ title: "Topic별 bytes-in (/초)", testid: "chart-topic-bytes", format: bytes }),
    brokerMsgs: timeChart({ title: "Broker별 messages-in (건/초)", testid: "chart-broker-messages", format: rate }),
    brokerBytes: timeChart({ title: "Broker별 bytes-in (/초)", testid: "chart-broker-bytes", format: bytes }),
  };
  const status = h("div");
  const brokers = h("div", loading());
  const topics = h("div");

  const drawHistory = (hist) => {
    const t = hist.t_ms ?? [];
    const pick = (obj, field, prefix = "") => Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [`${prefix}${k}`, v[field] ?? []]));
    charts.topicMsgs.setData(t, busiest(pick(hist.topics, "messages_in"), 8, "나머지 topic"));
    charts.topicBytes.setData(t, busiest(pick(hist.topics, "bytes_in"), 8, "나머지 topic"));
    charts.brokerMsgs.setData(t, pick(hist.brokers, "messages_in", "broker "));
    charts.brokerBytes.setData(t, pick(hist.brokers, "bytes_in", "broker "));
  };

  const drawNow = (m) => {
    replace(status, m.available ? null : h("div.warning.warning-warn", { "data-testid": "metrics-unavailable" },
      "⚠ broker 지표를 읽을 수 없습니다: ", m.reason ?? "알 수 없는 이유",
      " — 지표는 각 broker의 JMX exporter(Prometheus 형식)에서 옵니다."));
    replace(brokers, table([
      { label: "Broker" }, { label: "상태" }, { label: "Msgs in/s", num: true }, { label: "Bytes in/s", num: true },
      { label: "Bytes out/s", num: true }, { label: "Under-replicated", num: true }, { label: "Offline", num: true },
      { label: "Controller" }, { label: "Produce p99", num: true, title: "ms" }, { label: "Fetch p99", num: true, title: "ms" },
      { label: "Idle ratio", num: true, title: "request handler idle ratio: 낮을수록 바쁨" }],
    (m.brokers ?? []).map((b) => h("tr", { "data-testid": "metrics-broker-row" },
      h("td", h("b", String(b.id)), " ", h("code.muted.small", b.url ?? "")),
      h("td", b.up ? badge("up", "ok") : badge("down", "bad", { title: b.error ?? "" }), b.error ? h("div.small.muted", b.error) : null),
      h("td.num", rate(b.messages_in_per_sec)),
      h("td.num", bytes(b.bytes_in_per_sec)),
      h("td.num", bytes(b.bytes_out_per_sec)),
      h("td.num", b.under_replicated ? badge(String(b.under_replicated), "warn") : String(b.under_replicated ?? "–")),
      h("td.num", b.offline_partitions ? badge(String(b.offline_partitions), "bad") : String(b.offline_partitions ?? "–")),
      h("td", b.active_controller ? badge("active", "accent") : ""),
      h("td.num", ms(b.request_latency_ms?.Produce?.p99)),
      h("td.num", ms(b.request_latency_ms?.FetchConsumer?.p99 ?? b.request_latency_ms?.Fetch?.p99)),
      h("td.num", b.request_handler_idle_ratio == null ? "–" : `${(b.request_handler_idle_ratio * 100).toFixed(0)}%`))),
    { "data-testid": "metrics-brokers" }));
    const ts = [...(m.topics ?? [])].sort((a, b) => (b.messages_in_per_sec ?? 0) - (a.messages_in_per_sec ?? 0));
    replace(topics, table([{ label: "Topic" }, { label: "Msgs in/s", num: true }, { label: "Bytes in/s", num: true }, { label: "Bytes out/s", num: true }],
      ts.map((t) => h("tr", { "data-testid": "metrics-topic-row" }, h("td", t.topic), h("td.num", rate(t.messages_in_per_sec)),
        h("td.num", bytes(t.bytes_in_per_sec)), h("td.num", bytes(t.bytes_out_per_sec)))), { "data-testid": "metrics-topics" }));
  };

  const loadHistory = () => guard("지표 이력을 불러오지 못했습니다", async () => drawHistory(await get("/api/metrics/history")));
  guard("지표를 불러오지 못했습니다", async () => drawNow(await get("/api/metrics")));
  loadHistory();
  const off = onEvent("metrics", (m) => {
    drawNow(m);
    loadHistory();
  });

  return {
    el: h("div.page", { "data-testid": "metrics-page" }, status,
      h("div.grid-2.charts", charts.topicMsgs.el, charts.topicBytes.el, charts.brokerMsgs.el, charts.brokerBytes.el),
      card("Broker", brokers, h("p.hint", "p99 latency는 요청 100개 중 가장 느린 1개 수준의 처리 시간입니다. idle ratio가 낮으면 request handler thread가 바쁜 것입니다.")),
      card("Topic", topics)),
    dispose: () => { off(); Object.values(charts).forEach((c) => c.dispose()); },
  };
}

function ms(v) {
  return v == null ? "–" : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}
