// Shared state: the server's /api/config and the live event stream (/api/events).
import { get } from "./api.js";

export const state = {
  config: null, // /api/config
  overview: null, // last `overview` event or fetch
};

export const readOnly = () => Boolean(state.config?.read_only);

export async function loadConfig() {
  state.config = await get("/api/config");
  return state.config;
}

// One EventSource for the whole app; pages subscribe to `overview`, `metrics`, `groups`.
const listeners = new Map();
let source = null;
let connectedListener = null;

export function onEvent(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

export function startEvents(onConnection) {
  connectedListener = onConnection;
  if (source) return;
  source = new EventSource("/api/events");
  source.onopen = () => connectedListener?.(true);
  source.onerror = () => connectedListener?.(false);
  for (const name of ["overview", "metrics", "groups"]) {
    source.addEventListener(name, (ev) => {
      let data;
      try {
        data = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (name === "overview") state.overview = data;
      for (const fn of listeners.get(name) ?? []) fn(data);
    });
  }
}
