// Deletes TOPIC from the Topics list through the typed confirmation. MODE=wrong types names that
// are not TOPIC and tries every way to confirm (click, Enter), then cancels: no DELETE may leave
// the page. MODE=right types TOPIC exactly and confirms: the row must leave the list.
import { env, open, scenario, until } from "./lib.mjs";

const topic = env("TOPIC");
const mode = env("MODE");
await scenario(`delete_topic_${mode}`, async (page) => {
  const deletes = [];
  page.on("request", (req) => {
    if (req.method() === "DELETE") deletes.push(req.url());
  });
  await open(page, "/topics", "topics-table");
  const row = page.locator(`[data-testid="topic-row"][data-topic="${topic}"]`);
  await until(`topic ${topic} in the list`, () => row.count(), (n) => n === 1);
  await row.getByTestId("topic-delete").click();
  const input = page.getByTestId("confirm-input");
  const ok = page.getByTestId("confirm-ok");
  await input.waitFor({ state: "visible" });

  if (mode === "wrong") {
    const disabled = {};
    for (const typed of [topic.slice(0, -1), `${topic}x`, topic.toUpperCase(), ` ${topic}`]) {
      await input.fill(typed);
      disabled[typed] = await ok.isDisabled();
      await input.press("Enter");
      await ok.click({ force: true });
    }
    const dialogStillOpen = await page.getByTestId("modal").count();
    await page.keyboard.press("Escape");
    await page.getByTestId("modal").waitFor({ state: "detached" });
    // The list, read again from the server, still has the topic.
    await page.reload();
    await page.getByTestId("topics-table").waitFor({ state: "visible" });
    await until(`topic ${topic} still listed after reload`, () => row.count(), (n) => n === 1);
    return { disabled, dialogStillOpen, deletes };
  }

  await input.fill(topic);
  const enabled = await ok.isEnabled();
  const answer = page.waitForResponse((r) => r.request().method() === "DELETE");
  await ok.click();
  const status = (await answer).status();
  const notice = await page.getByTestId("notice-banner").textContent();
  await until(`topic ${topic} gone from the list`, () => row.count(), (n) => n === 0);
  return { enabled, status, notice, deletes };
});
