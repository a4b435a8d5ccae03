// App shell: sidebar, status header, error banner and a hash router (#/topics/orders/messages).
import "./style.css";
import { h, replace } from "./dom.js";
import { get } from "./api.js";
import { loadConfig, onEvent, startEvents, state } from "./state.js";
import { badge, mountBanner, clearError, showError } from "./ui.js";
import * as overview from "./pages/overview.js";
import * as topics from "./pages/topics.js";
import * as topic from "./pages/topic.js";
import * as groups from "./pages/groups.js";
import * as security from "./pages/security.js";
import * as doctor from "./pages/doctor.js";
import * as schemas from "./pages/schemas.js";
import * as group from "./pages/group.js";
import * as metrics from "./pages/metrics.js";
import * as lessons from "./pages/lessons.js";
import * as guide from "./pages/guide.js";

const routes = [
  { pattern: /^\/?$/, page: overview, nav: "overview" },
  { pattern: /^\/topics\/?$/, page: topics, nav: "topics" },
  { pattern: /^\/topics\/([^/]+)(?:\/(partitions|messages|configs))?\/?$/, page: topic, nav: "topics", keys: ["name", "tab"] },
  { pattern: /^\/groups\/?$/, page: groups, nav: "groups" },
  { pattern: /^\/groups\/([^/]+)\/?$/, page: group, nav: "groups", keys: ["id"] },
  { pattern: /^\/metrics\/?$/, page: metrics, nav: "metrics" },
  { pattern: /^\/security\/?$/, page: security, nav: "security" },
  { pattern: /^\/doctor\/?$/, page: doctor, nav: "doctor" },
  { pattern: /^\/schemas\/?$/, page: schemas, nav: "schemas" },
  { pattern: /^\/lessons\/?$/, page: lessons, nav: "lessons" },
  { pattern: /^\/guides\/(.+)$/, page: guide, nav: "lessons", keys: ["path"] },
];

const navItems = [
  { id: "overview", href: "#/", label: "개요", sub: "Overview", icon: "◎" },
  { id: "topics", href: "#/topics", label: "Topic", sub: "Topics", icon: "☰" },
  { id: "groups", href: "#/groups", label: "Consumer Group", sub: "Groups", icon: "⛁" },
  { id: "metrics", href: "#/metrics", label: "지표", sub: "Metrics", icon: "∿" },
  { id: "security", href: "#/security", label: "보안", sub: "Security", icon: "◈" },
  { id: "schemas", href: "#/schemas", label: "스키마", sub: "Schemas", icon: "❏" },
  { id: "doctor", href: "#/doctor", label: "점검", sub: "Doctor", icon: "✚" },
  { id: "lessons", href: "#/lessons", label: "학습 진도", sub: "Lessons", icon: "✓" },
];

const app = document.getElementById("app");
const statusEl = h("div.status");
const clusterStrip = h("div");
const bannerEl = h("div.banner-slot");
const main = h("main.content", { "data-testid": "page" });
const nav = h("nav.sidebar-nav");
mountBanner(bannerEl);

replace(app,
  h("aside.sidebar",
    h("a.brand", { href: "#/" }, h("span.brand-mark", "K"), h("span", h("b", "Kafka Lab"), h("small", "Console"))),
    nav,
    h("div.sidebar-foot", h("div.muted", { "data-testid": "console-version" }))),
  h("div.main-col",
    h("header.topbar", h("div.topbar-title", { "data-testid": "page-title" }), statusEl),
    clusterStrip, bannerEl, main));

let current = null;

function renderNav(active) {
  replace(nav, navItems.map((n) =>
    h(`a.nav-item${n.id === active ? ".active" : ""}`, { href: n.href, "data-testid": `nav-${n.id}` },
      h("span.nav-icon", n.icon), h("span.nav-label", n.label), h("span.nav-sub", n.sub))));
}

export function setTitle(...parts) {
  replace(document.querySelector(".topbar-title"), parts);
  document.title = `${parts.filter((p) => typeof p === "string").join(" ")} · Kafka Lab`;
}

function route() {
  const path = decodeURI(location.hash.replace(/^#/, "")) || "/";
  current?.dispose?.();
  current = null;
  clearError();
  for (const r of routes) {
    const m = path.match(r.pattern);
    if (!m) continue;
    const params = {};
    (r.keys ?? []).forEach((k, i) => {
      params[k] = m[i + 1] === undefined ? undefined : decodeURIComponent(m[i + 1]);
    });
    renderNav(r.nav);
    const view = r.page.render({ params, setTitle });
    current = view;
    replace(main, view.el);
    main.scrollTop = 0;
    return;
  }
  renderNav("");
  setTitle("페이지 없음");
  replace(main, h("div.empty-state", "없는 페이지입니다: ", h("code", path)));
}

function renderStatus(connected) {
  const cfg = state.config;
  const ov = state.overview;
  const reachable = ov ? ov.reachable !== false : true;
  replace(statusEl,
    cfg?.read_only ? badge("읽기 전용 (read-only)", "warn", { "data-testid": "read-only-badge" }) : null,
    cfg ? h("span.status-item.muted", { title: cfg.external ? "외부 cluster" : "lab cluster" }, "bootstrap ", h("code", cfg.bootstrap ?? "–")) : null,
    connected === false
      ? badge("콘솔 서버 연결 끊김", "bad", { "data-testid": "cluster-status" })
      : reachable
        ? badge("cluster 연결됨", "ok", { "data-testid": "cluster-status" })
        : badge("cluster 연결 불가", "bad", { "data-testid": "cluster-status" }));
  const down = (ov?.brokers ?? []).filter((b) => !b.up);
  if (ov && !reachable) {
    replace(clusterStrip, h("div.strip.strip-bad", { "data-testid": "cluster-unreachable" },
      "⛔ cluster에 연결할 수 없습니다 (cluster unreachable). 마지막으로 받은 데이터를 보여 줍니다. ",
      "`klab up` 또는 `klab status`로 broker를 확인하세요."));
  } else if (down.length) {
    replace(clusterStrip, h("div.strip.strip-warn", { "data-testid": "broker-down" },
      `⚠ broker down: ${down.map((b) => b.id).join(", ")} — 이 broker의 partition은 다른 replica로 leader가 옮겨 갑니다.`));
  } else {
    clusterStrip.replaceChildren();
  }
}

let connected = null;
async function boot() {
  try {
    await loadConfig();
    document.body.classList.toggle("read-only", Boolean(state.config.read_only));
    replace(document.querySelector('[data-testid="console-version"]'),
      `console ${state.config.console_version ?? ""}`, h("br"), `Kafka ${state.config.kafka_version ?? "?"}`);
  } catch (err) {
    showError(err, "설정을 불러오지 못했습니다");
  }
  renderStatus(connected);
  startEvents((ok) => {
    connected = ok;
    renderStatus(connected);
  });
  onEvent("overview", () => renderStatus(connected));
  get("/api/overview").then((ov) => {
    state.overview = state.overview ?? ov;
    renderStatus(connected);
  }).catch(() => {});
  window.addEventListener("hashchange", route);
  route();
}

boot();
