// Number, size and time formatting for dense tables.

const nf = new Intl.NumberFormat("ko-KR");

export function num(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return nf.format(n);
}

export function rate(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  if (n === 0) return "0";
  if (n >= 100) return nf.format(Math.round(n));
  return n.toFixed(n >= 10 ? 1 : 2);
}

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(v) : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function time(ms) {
  if (ms === null || ms === undefined || ms < 0) return "–";
  const d = new Date(ms);
  const pad = (x, w = 2) => String(x).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function ago(ms) {
  if (!ms) return "–";
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}초 전`;
  if (s < 3600) return `${Math.floor(s / 60)}분 전`;
  return `${Math.floor(s / 3600)}시간 전`;
}

/** The value pretty-printed when it is JSON (object/array), else as is. */
export function prettyJson(text) {
  if (typeof text !== "string") return { text, json: false };
  const t = text.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return { text, json: false };
  try {
    return { text: JSON.stringify(JSON.parse(t), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}
