// Creates a topic with the form on the Topics page and finds it in the list.
import { env, open, scenario, screenshot, until } from "./lib.mjs";

const topic = env("TOPIC");
await scenario("create_topic", async (page) => {
  await open(page, "/topics", "topics-table");
  await page.getByTestId("topic-create-open").click();
  await page.getByTestId("topic-name").fill(topic);
  await page.getByTestId("topic-partitions").fill("3");
  await page.getByTestId("topic-rf").fill("1");
  await page.getByTestId("topic-create-submit").click();
  const row = page.locator(`[data-testid="topic-row"][data-topic="${topic}"]`);
  await until("the new topic in the list", () => row.count(), (n) => n === 1);
  const partitions = (await row.locator("td").nth(1).textContent()).trim();
  const notice = await page.getByTestId("notice-banner").textContent();
  await screenshot(page, "topics-created");
  return { partitions: Number(partitions), notice };
});
