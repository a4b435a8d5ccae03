// Visits every page, waits for its content and saves SCREENSHOT_DIR/<page>.png.
import { env, open, scenario, screenshot, until } from "./lib.mjs";

const topic = env("TOPIC");
const group = env("GROUP");
const t = encodeURIComponent(topic);
const pages = [
  ["overview", "/", "brokers"],
  ["topics", "/topics", "topics-table"],
  ["topic-detail", `/topics/${t}`, "replica-map"],
  ["messages", `/topics/${t}/messages`, "message-row"],
  ["groups", "/groups", "group-row"],
  ["group-detail", `/groups/${encodeURIComponent(group)}`, "offset-row"],
  ["metrics", "/metrics", "metrics-broker-row"],
  ["lessons", "/lessons", "lesson-item"],
];
await scenario("screenshots", async (page) => {
  const saved = {};
  for (const [name, route, testid] of pages) {
    await open(page, route, testid);
    // Charts draw on a canvas after their data arrives; wait for them where a page has some.
    if (name === "group-detail" || name === "metrics") {
      await until(`${name} chart canvas`, () => page.locator(".chart canvas").count(), (n) => n > 0);
    }
    saved[name] = await screenshot(page, name);
  }
  return { saved };
});
