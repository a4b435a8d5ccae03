// Turns the live tail on for TOPIC, tells the C++ side once the tail stream answered (signal),
// then waits on the same page (no reload) for the record with KEY it produces.
import { awaitSignal, env, open, scenario, signal, until } from "./lib.mjs";

const topic = env("TOPIC");
const key = env("KEY");
await scenario("live_tail", async (page) => {
  await open(page, `/topics/${encodeURIComponent(topic)}/messages`, "messages-view");
  await page.evaluate(() => { window.__sameDocument = true; });
  const stream = page.waitForResponse((r) => r.url().includes("/tail"));
  await page.getByTestId("tail-toggle").click();
  const status = (await stream).status();
  await page.getByTestId("tail-live").waitFor({ state: "visible" });
  signal("tail-open");
  await awaitSignal("produced");
  const fresh = page.locator('tr.msg-row.fresh');
  const row = fresh.filter({ has: page.locator('[data-testid="message-key"]', { hasText: key }) });
  await until(`the record with key ${key}`, () => row.count(), (n) => n === 1, 60_000);
  return {
    status,
    key: await row.getByTestId("message-key").textContent(),
    value: await row.getByTestId("message-value").textContent(),
    offset: Number(await row.getByTestId("message-offset").textContent()),
    freshRows: await fresh.count(),
    sameDocument: await page.evaluate(() => window.__sameDocument === true),
  };
});
