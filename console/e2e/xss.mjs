// A record whose value is markup must show as literal text and never run.
import { env, open, scenario, until } from "./lib.mjs";

const topic = env("TOPIC");
const payload = env("PAYLOAD");
await scenario("xss", async (page) => {
  await open(page, `/topics/${encodeURIComponent(topic)}/messages`, "messages-table");
  await page.getByTestId("browse-from").selectOption("beginning");
  await page.getByTestId("browse-submit").click();
  const cells = page.getByTestId("message-value");
  await until("the record in the browser", () => cells.count(), (n) => n >= 1);
  const texts = await cells.allTextContents();
  const headerTexts = await page.getByTestId("message-header").allTextContents();
  const keyTexts = await page.getByTestId("message-key").allTextContents();
  const injected = await page.locator('[data-testid="messages-body"] script, [data-testid="messages-body"] img').count();
  const xss = await page.evaluate(() => window.__xss);
  return { shownLiterally: texts.includes(payload), texts, keyTexts, headerTexts, injectedElements: injected, xss: xss === undefined ? "undefined" : String(xss) };
});
