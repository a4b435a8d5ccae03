// Watches the group page: waits until it shows FIRST_LAG, tells the C++ side (a marker file),
// then waits on the same page (live updates, no reload) until it shows lag 0; and reports the
// rebalance timeline's lanes and state band.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { env, open, scenario, until } from "./lib.mjs";

const group = env("GROUP");
const firstLag = env("FIRST_LAG");
const signalDir = env("SIGNAL_DIR");
await scenario("group_lag", async (page) => {
  await open(page, `/groups/${encodeURIComponent(group)}`, "group-total-lag");
  const lag = () => page.getByTestId("group-total-lag").textContent();
  const seenFirst = await until(`total lag ${firstLag}`, lag, (t) => t.trim() === firstLag, 60_000);
  const firstRows = await page.getByTestId("offset-lag").allTextContents();
  writeFileSync(join(signalDir, "lag-seen"), seenFirst);
  const seenZero = await until("total lag 0", lag, (t) => t.trim() === "0", 90_000);
  const chartDrawn = await page.locator('[data-testid="lag-chart"] canvas').count();
  // The rebalance timeline: the consumer's lane, under the group's state band.
  const lanes = await until("a timeline lane", () => page.getByTestId("timeline-lane").count(), (n) => n >= 1, 30_000);
  const states = await page.getByTestId("timeline-state").evaluateAll((els) => els.map((e) => e.dataset.state));
  return { first: seenFirst.trim(), firstRows, last: seenZero.trim(), chartDrawn, timelineLanes: lanes, timelineStates: states };
});
