// Produces a record with a key and a header in the UI, then finds it with the message search.
import { env, open, scenario, until } from "./lib.mjs";

const topic = env("TOPIC");
const needle = env("NEEDLE");
await scenario("produce_search", async (page) => {
  await open(page, `/topics/${encodeURIComponent(topic)}/messages`, "messages-table");
  await page.getByTestId("produce-open").click();
  await page.getByTestId("produce-key").fill(`key-${needle}`);
  await page.getByTestId("produce-value").fill(JSON.stringify({ note: needle, n: 1 }));
  await page.getByTestId("produce-add-header").click();
  await page.getByTestId("produce-header-key").fill("trace-id");
  await page.getByTestId("produce-header-value").fill(`trace-${needle}`);
  await page.getByTestId("produce-submit").click();
  const produced = await until("the produce result", () => page.getByTestId("produce-result").textContent(), (t) => /offset \d+/.test(t));

  // Search by the header value only: the record must come back through the header field.
  await page.getByTestId("browse-from").selectOption("beginning");
  await page.getByTestId("browse-q").fill(`trace-${needle}`);
  await page.getByTestId("browse-in").selectOption("header");
  await page.getByTestId("browse-submit").click();
  const rows = page.getByTestId("message-row");
  await until("the searched record", () => rows.count(), (n) => n === 1);
  const row = rows.first();
  return {
    produced,
    count: await rows.count(),
    key: await row.getByTestId("message-key").textContent(),
    value: await row.getByTestId("message-value").textContent(),
    headers: await row.getByTestId("message-header").allTextContents(),
  };
});
