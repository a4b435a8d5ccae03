// The Schemas page lists a subject's versions; in the message browser an Avro record shows its
// schema id, and a click opens the schema with the subject version that registered it.
import { env, open, scenario, screenshot, until } from "./lib.mjs";

const topic = env("TOPIC");
const subject = env("SUBJECT");
await scenario("schemas", async (page) => {
  await open(page, "/schemas", "schemas-page");
  const block = page.locator(`[data-testid="schema-subject"][data-subject="${subject}"]`);
  const versions = await until("the subject's versions", () => block.getByTestId("schema-version").count(), (n) => n >= 2);
  const latest = await block.getByTestId("schema-version").first().textContent();
  const shot = await screenshot(page, "schemas");

  await open(page, `/topics/${encodeURIComponent(topic)}/messages`, "messages-table");
  await page.getByTestId("browse-from").selectOption("beginning");
  await page.getByTestId("browse-submit").click();
  const badges = page.getByTestId("message-schema-id");
  await until("the Avro records", () => badges.count(), (n) => n === 2);
  const texts = await badges.allTextContents();
  const rows = page.getByTestId("message-row");
  const second = rows.filter({ has: page.getByText(texts[1]) }).first();
  await second.getByTestId("message-schema-id").click();
  const opened = await until("the opened schema", () => second.getByTestId("message-schema").textContent(), (t) => t.includes("v2"));
  return { versions, latest, badges: texts, opened, screenshot: shot };
});
