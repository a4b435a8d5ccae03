// Overview: the cluster at a glance — id, version, brokers up/down, KRaft quorum, totals, warnings.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { ago, num } from "../format.js";
import { onEvent, state } from "../state.js";
import { badge, card, guard, loading, stat, table } from "../ui.js";

export function render({ setTitle }) {
  setTitle("개요", h("span.muted.title-sub", " Overview"));
  const root = h("div.page", { "data-testid": "overview-page" }, loading());

  const draw = (ov) => {
    const t = ov.totals ?? {};
    const q = ov.quorum;
    replace(root,
      ov.warnings?.length
        ? h("div.warnings", { "data-testid": "warnings" }, ov.warnings.map((w) =>
          h(`div.warning.warning-${w.level === "error" ? "error" : "warn"}`, { "data-testid": "warning" },
            w.level === "error" ? "⛔ " : "⚠ ", w.message)))
        : h("div.all-good", { "data-testid": "no-warnings" }, "✓ 경고 없음 — 모든 broker가 살아 있고 모든 partition이 ISR을 다 채웠습니다."),
      h("div.grid-ident",
        card(null, h("div.ident",
          h("div", h("div.label", "Cluster ID"), h("code.big", { "data-testid": "cluster-id" }, ov.cluster_id ?? "–")),
          h("div", h("div.label", "Kafka 버전"), h("span.big", { "data-testid": "kafka-version" }, ov.kafka_version ?? "–")),
          h("div", h("div.label", "Active controller"), h("span.big", ov.controller_id ?? "–")),
          h("div", h("div.label", "갱신"), h("span", { title: String(ov.refreshed_at_ms ?? "") }, ago(ov.refreshed_at_ms)))))),
      h("div.stats", { "data-testid": "totals" },
        stat("Broker", num(t.brokers)), stat("Topic", num(t.topics)), stat("Partition", num(t.partitions)),
        stat("Replica", num(t.replicas)),
        stat("Under-replicated", num(t.under_replicated), { class: t.under_replicated ? "stat-warn" : "" }),
        stat("Offline", num(t.offline), { class: t.offline ? "stat-bad" : "" }),
        stat("Consumer Group", num(t.groups)), stat("메시지", num(t.messages))),
      h("div.grid-2",
        card("Broker", brokerTable(ov), h("p.hint",
          "Broker는 partition의 replica를 저장하고 client 요청을 받는 서버입니다. 한 broker가 죽으면 그 broker가 leader였던 partition은 ISR의 다른 replica가 이어받습니다.")),
        card("KRaft quorum", quorumView(q, ov), h("p.hint",
          "KRaft controller들은 metadata log를 Raft로 복제합니다. leader가 기록한 high watermark까지 과반수(voter)가 따라와야 metadata 변경이 확정됩니다."))));
  };

  const brokerTable = (ov) => table(
    [{ label: "ID" }, { label: "주소" }, { label: "Rack" }, { label: "상태" }, { label: "역할" }, { label: "Metrics" }],
    (ov.brokers ?? []).map((b) => h("tr", { "data-testid": `broker-row-${b.id}` },
      h("td", h("b", String(b.id))),
      h("td", h("code", `${b.host}:${b.port}`)),
      h("td", b.rack ?? "–"),
      h("td", b.up ? badge("up", "ok", { "data-testid": "broker-up" }) : badge("down", "bad", { "data-testid": "broker-down" })),
      h("td", b.id === ov.controller_id ? badge("controller", "accent") : "", ov.quorum?.leader_id === b.id ? badge("quorum leader", "accent") : ""),
      h("td.ellipsis", b.metrics_url ? h("code.muted.small", { title: b.metrics_url }, b.metrics_url.replace(/^https?:\/\//, "")) : "–"))),
    { "data-testid": "brokers" });

  const quorumView = (q, ov) => {
    if (!q) return h("p.muted", "quorum 정보 없음 (cluster에 연결되지 않았거나 권한이 없음).");
    const maxLag = Math.max(1, ...q.voters.map((v) => v.lag ?? 0));
    return h("div", { "data-testid": "quorum" },
      h("div.kv-row",
        h("div", h("div.label", "Leader"), h("span.big", { "data-testid": "quorum-leader" }, String(q.leader_id))),
        h("div", h("div.label", "Epoch"), h("span.big", num(q.epoch))),
        h("div", h("div.label", "High watermark"), h("span.big", num(q.high_watermark)))),
      table([{ label: "Voter" }, { label: "Log end offset", num: true }, { label: "Lag", num: true }, { label: "" }],
        q.voters.map((v) => h("tr",
          h("td", String(v.id), v.id === q.leader_id ? h("span.leader-star", { title: "leader" }, " ★") : ""),
          h("td.num", num(v.log_end_offset)),
          h("td.num", num(v.lag)),
          h("td.bar-cell", h("span.bar", h(`span.bar-fill.bar-${v.lag ? "warn" : "ok"}`, { style: { width: `${((v.lag ?? 0) / maxLag) * 100}%` } })))))));
  };

  guard("개요를 불러오지 못했습니다", async () => {
    const ov = await get("/api/overview");
    state.overview = ov;
    draw(ov);
  });
  const off = onEvent("overview", draw);
  return { el: root, dispose: off };
}
