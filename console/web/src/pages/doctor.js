// The monitoring checklist (8.3.4): what `klab doctor` checks, with each finding and its fix.
// Run on request: it takes two samples a few seconds apart and starts Kafka's quorum tool.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { badge, card, guard, loading, table } from "../ui.js";

const kinds = { ok: "ok", warn: "warn", fail: "bad", skipped: "neutral" };
const labels = { ok: "정상", warn: "주의", fail: "문제", skipped: "건너뜀" };

const checklist = (checks) => table(
  [{ label: "" }, { label: "Check" }, { label: "관찰" }, { label: "할 일" }],
  checks.map((c) => h("tr", { "data-testid": "doctor-row", "data-status": c.status },
    h("td", badge(labels[c.status] || c.status, kinds[c.status] || "neutral")),
    h("td.strong", c.check),
    h("td", c.detail),
    h("td.muted", c.fix || "—"))),
  { "data-testid": "doctor-table" });

export function render({ setTitle }) {
  setTitle("점검", h("span.muted.title-sub", " monitoring checklist"));
  const body = h("div");
  const summary = h("p", { "data-testid": "doctor-summary" });
  const run = h("button.btn.btn-primary", { "data-testid": "doctor-run" }, "다시 점검");

  const check = () => {
    run.disabled = true;
    replace(body, loading());
    replace(summary, "두 번 측정하는 중입니다 (2초 간격)…");
    guard("점검하지 못했습니다", async () => {
      try {
        const r = await get("/api/doctor");
        const problems = r.checks.filter((c) => c.status === "warn" || c.status === "fail").length;
        replace(summary, problems
          ? `${problems}개 항목에 조치가 필요합니다.`
          : "모든 항목이 정상입니다 (건너뛴 항목은 그 정보를 얻을 수 없는 경우입니다).");
        replace(body, card(`Checklist (${r.checks.length})`, checklist(r.checks),
          h("p.hint", "CLI: `klab doctor` (문제가 있으면 exit 1). ISR 변화와 consumer lag 증가는 " +
            `${r.interval_ms / 1000}초 간격 두 번의 측정으로 판단합니다.`)));
      } finally {
        run.disabled = false;
      }
    });
  };
  run.addEventListener("click", check);
  check();
  return { el: h("div.page", { "data-testid": "doctor-page" }, h("div.toolbar", summary, h("div.spacer"), run), body) };
}
