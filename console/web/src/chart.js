// Time-series charts over uPlot: one chart per metric, one line per topic/broker.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom.js";

const palette = ["#2f6fde", "#e0642b", "#1d9a6c", "#b33dc6", "#d4a017", "#d23c5b", "#17a2b8", "#6c757d"];

function clock(seconds) {
  const d = new Date(seconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

/**
 * The `limit` busiest series by their sum over the window; the rest are added up into one
 * "others" series, so 500 topics still give a readable legend.
 */
export function busiest(byName, limit, othersLabel) {
  const totals = Object.entries(byName).map(([name, values]) => [name, values.reduce((a, v) => a + (v ?? 0), 0)]);
  if (totals.length <= limit) return byName;
  totals.sort((a, b) => b[1] - a[1]);
  // Idle series never take a place from a busy one.
  const shown = totals.slice(0, limit).filter(([, total], i) => total > 0 || i === 0);
  const out = Object.fromEntries(shown.map(([name]) => [name, byName[name]]));
  const rest = totals.slice(shown.length).map(([name]) => byName[name]);
  const length = Math.max(...rest.map((v) => v.length));
  out[`${othersLabel} (${rest.length})`] = Array.from({ length }, (_, i) => rest.reduce((a, v) => a + (v[i] ?? 0), 0));
  return out;
}

export function seriesColor(i) {
  return palette[i % palette.length];
}

/**
 * A live line chart. setData(times_ms, {name: values[]}) redraws it; the chart keeps its width in
 * step with its container.
 */
export function timeChart({ title, unit = "", format = (v) => v, height = 180, testid }) {
  const holder = h("div.chart-plot");
  const root = h("div.chart", { "data-testid": testid }, h("div.chart-title", title), holder);
  let plot = null;
  let names = [];
  let last = null;

  const build = (seriesNames) => {
    plot?.destroy();
    names = seriesNames;
    const width = Math.max(200, holder.clientWidth || 400);
    plot = new uPlot({
      width,
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } },
      axes: [
        {
          stroke: "#6b7385",
          grid: { stroke: "#eef0f4" },
          ticks: { stroke: "#dfe3ea" },
          space: 70,
          // One short line per tick: uPlot's default adds a date line that collides on narrow charts.
          values: (u, vals) => vals.map((v) => clock(v)),
        },
        {
          stroke: "#6b7385",
          grid: { stroke: "#eef0f4" },
          ticks: { stroke: "#dfe3ea" },
          // Wide enough for the longest label ("1,500,000"), so big values are not clipped.
          size: (u, values) => Math.max(48, Math.max(0, ...(values ?? []).map((v) => String(v).length)) * 7.5 + 20),
          values: (u, vals) => vals.map((v) => `${format(v)}${unit}`),
        },
      ],
      series: [{}, ...seriesNames.map((n, i) => ({
        label: n,
        stroke: seriesColor(i),
        width: 1.6,
        fill: seriesNames.length === 1 ? `${seriesColor(i)}22` : undefined,
        points: { show: false },
        value: (u, v) => (v == null ? "–" : `${format(v)}${unit}`),
      }))],
    }, [[]], holder);
  };

  const setData = (times, byName) => {
    const seriesNames = Object.keys(byName).sort();
    if (!plot || seriesNames.join("\u0000") !== names.join("\u0000")) build(seriesNames);
    last = [times.map((t) => t / 1000), ...seriesNames.map((n) => byName[n])];
    plot.setData(last);
    root.classList.toggle("chart-empty", times.length === 0 || seriesNames.length === 0);
  };

  const resize = new ResizeObserver(() => {
    if (plot && holder.clientWidth > 0) plot.setSize({ width: holder.clientWidth, height });
  });
  resize.observe(holder);

  return {
    el: root,
    setData,
    dispose() {
      resize.disconnect();
      plot?.destroy();
    },
  };
}
