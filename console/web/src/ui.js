// Small shared widgets: error banner, badges, modal with typed confirmation, tables, tabs.
import { h, replace } from "./dom.js";
import { readOnly } from "./state.js";

let bannerEl = null;
export function mountBanner(el) {
  bannerEl = el;
}

/** Shows the server's message (an ApiError or any Error) in the visible banner. */
export function showError(err, context) {
  if (!bannerEl) return;
  const message = err?.message ?? String(err);
  const code = err?.code ? ` [${err.code}]` : "";
  replace(bannerEl,
    h("div.banner.banner-error", { "data-testid": "error-banner", role: "alert" },
      h("span.banner-icon", "⚠"),
      h("div.banner-text", context ? h("strong", `${context}: `) : null,
        h("span", { "data-testid": "error-message" }, message), h("span.muted", code)),
      h("button.banner-close", { title: "닫기", onclick: () => clearError() }, "✕")));
}

export function clearError() {
  if (bannerEl) bannerEl.replaceChildren();
}

export function showNotice(message) {
  if (!bannerEl) return;
  replace(bannerEl, h("div.banner.banner-ok", { "data-testid": "notice-banner", role: "status" },
    h("span.banner-icon", "✓"), h("div.banner-text", message),
    h("button.banner-close", { title: "닫기", onclick: () => clearError() }, "✕")));
}

/** Runs an async action, routing any error to the banner; returns its result or undefined. */
export async function guard(context, fn) {
  try {
    return await fn();
  } catch (err) {
    showError(err, context);
    return undefined;
  }
}

export function badge(text, kind = "neutral", attrs = {}) {
  return h(`span.badge.badge-${kind}`, attrs, text);
}

export function stateBadge(groupState) {
  const kinds = { Stable: "ok", Empty: "neutral", PreparingRebalance: "warn", CompletingRebalance: "warn", Dead: "bad" };
  return badge(groupState ?? "Unknown", kinds[groupState] ?? "neutral", { "data-testid": "group-state" });
}

/** A mutating control: absent in read-only mode, so learners see what they may do. */
export function mutating(el) {
  if (readOnly()) return null;
  el.dataset.mutating = "true";
  return el;
}

export function card(title, ...children) {
  return h("section.card", title ? h("h2.card-title", title) : null, ...children);
}

export function stat(label, value, attrs = {}) {
  return h("div.stat", attrs, h("div.stat-value", value), h("div.stat-label", label));
}

export function table(columns, rows, attrs = {}) {
  return h("table.table", attrs,
    h("thead", h("tr", columns.map((c) => h(`th${c.num ? ".num" : ""}`, { title: c.title }, c.label)))),
    h("tbody", rows.length ? rows : h("tr", h("td.empty", { colspan: columns.length }, "데이터 없음"))));
}

export function emptyState(text) {
  return h("div.empty-state", text);
}

export function loading() {
  return h("div.loading", "불러오는 중…");
}

/** Tabs as links (hash routes). */
export function tabs(items, active) {
  return h("nav.tabs", items.map((t) =>
    h(`a.tab${t.id === active ? ".active" : ""}`, { href: t.href, "data-testid": `tab-${t.id}` }, t.label)));
}

/** A modal dialog; resolves when closed. `body` gets a `close(value)` function. */
export function modal(title, build) {
  return new Promise((resolve) => {
    const close = (value) => {
      overlay.remove();
      document.removeEventListener("keydown", onKey);
      resolve(value);
    };
    const onKey = (e) => {
      if (e.key === "Escape") close(undefined);
    };
    const overlay = h("div.modal-overlay", { onclick: (e) => e.target === overlay && close(undefined) },
      h("div.modal", { role: "dialog", "data-testid": "modal" },
        h("div.modal-head", h("h3", title), h("button.banner-close", { onclick: () => close(undefined) }, "✕")),
        build(close)));
    document.addEventListener("keydown", onKey);
    document.body.appendChild(overlay);
    overlay.querySelector("input")?.focus();
  });
}

/** Typed confirmation: the OK button is enabled only when the user typed `expected`. */
export function confirmTyped({ title, explain, expected, action, danger = true }) {
  return modal(title, (close) => {
    const input = h("input.input", { "data-testid": "confirm-input", placeholder: expected, autocomplete: "off" });
    const ok = h(`button.btn${danger ? ".btn-danger" : ".btn-primary"}`,
      { disabled: true, "data-testid": "confirm-ok", onclick: () => close(true) }, action);
    input.addEventListener("input", () => {
      ok.disabled = input.value !== expected;
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !ok.disabled) close(true);
    });
    return h("div.modal-body", h("p", explain),
      h("p.muted", "확인을 위해 ", h("code", expected), " 를 입력하세요."), input,
      h("div.modal-actions", h("button.btn", { onclick: () => close(false) }, "취소"), ok));
  });
}

/** A horizontal bar (0..1) for lag/size columns. */
export function bar(fraction, kind = "accent") {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return h("span.bar", h(`span.bar-fill.bar-${kind}`, { style: { width: `${pct}%` } }));
}
