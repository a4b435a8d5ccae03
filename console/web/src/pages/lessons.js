// Lessons: the roadmap with each item's status (from the test reports) and links to the guides.
import { get } from "../api.js";
import { h, replace } from "../dom.js";
import { card, guard, loading } from "../ui.js";

// Drawn with CSS (no emoji font needed); the roadmap's ✅/❌/⬜ stay in the label.
const icons = { pass: "✓", fail: "✕", static: "?", missing: "", none: "" };
const emoji = { pass: "✅", fail: "❌", static: "🔎", missing: "⏳", none: "⬜" };
const labels = { pass: "통과", fail: "실패", static: "정적 검사만 통과 (진짜 테스트는 여기서 못 돌림)", missing: "아직 안 돌림", none: "테스트 없음" };

export function render({ setTitle }) {
  setTitle("학습 진도", h("span.muted.title-sub", " Lessons"));
  const root = h("div.page", { "data-testid": "lessons-page" }, loading());
  guard("학습 진도를 불러오지 못했습니다", async () => {
    const res = await get("/api/lessons");
    const s = res.summary ?? { pass: 0, fail: 0, static: 0, missing: 0, total: 0 };
    const pct = s.total ? Math.round((s.pass / s.total) * 100) : 0;
    replace(root,
      card(null, h("div.progress-head", { "data-testid": "lessons-summary" },
        h("div.progress-big", `${pct}%`),
        h("div.progress-col",
          h("div.progress", h("span.progress-pass", { style: { width: `${s.total ? (s.pass / s.total) * 100 : 0}%` } }),
            h("span.progress-fail", { style: { width: `${s.total ? (s.fail / s.total) * 100 : 0}%` } })),
          h("div.muted.summary-line", h("span.status-icon.status-pass", "✓"), ` ${s.pass} 통과 `, h("span.status-icon.status-fail", "✕"), ` ${s.fail} 실패 `, h("span.status-icon.status-static", "?"), ` ${s.static ?? 0} 정적 검사만 `, h("span.status-icon.status-missing"), ` ${s.missing} 남음 · 전체 ${s.total}`,
            h("span", " — 테스트를 돌리면(`scripts/test` 또는 `klab progress --run`) 결과가 여기 반영됩니다."))))),
      h("div.phases", (res.phases ?? []).map((p) => {
        const done = p.items.filter((i) => i.status === "pass").length;
        return h("section.card.phase", { "data-testid": "phase", "data-phase": p.id },
          h("div.phase-head",
            h("h2.card-title", p.title),
            h("span.muted", `${done}/${p.items.length}`),
            h("div.spacer"),
            ...(p.guides?.length > 1
              ? p.guides.map((g) => h("a.btn.btn-small", { href: `#/guides/${g.path}`, "data-testid": "guide-link", title: g.title }, `${g.title.split(":")[0]} 가이드 →`))
              : [p.guide ? h("a.btn.btn-small", { href: `#/guides/${p.guide}`, "data-testid": "guide-link" }, "가이드 읽기 →") : null])),
          h("ul.items", p.items.map((i) => h(`li.item.item-${i.status}`, { "data-testid": "lesson-item", "data-item": i.id, "data-status": i.status },
            h(`span.status-icon.status-${i.status}`, { title: i.reason ? `${labels[i.status] ?? i.status}: ${i.reason}` : (labels[i.status] ?? i.status), "aria-label": emoji[i.status] ?? "⬜" }, icons[i.status] ?? ""),
            h("span.item-id", i.id),
            h("span.item-title", i.title),
            i.status === "static" && i.reason ? h("span.item-reason.muted", { "data-testid": "item-reason" }, ` — ${i.reason}`) : null,
            i.section && (i.guide ?? p.guide) ? h("a.item-link.muted", { href: `#/guides/${i.guide ?? p.guide}`, title: "가이드 열기" }, "→") : null))));
      })));
  });
  return { el: root };
}
