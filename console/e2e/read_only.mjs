// Against a console started with read_only: mutating controls are absent or disabled.
import { env, open, scenario } from "./lib.mjs";

const topic = env("TOPIC");
const group = env("GROUP");
await scenario("read_only", async (page) => {
  const found = {};
  const visibleEnabled = async (testid) => {
    const loc = page.getByTestId(testid);
    let n = 0;
    for (let i = 0; i < (await loc.count()); i++) {
      if ((await loc.nth(i).isVisible()) && (await loc.nth(i).isEnabled())) n++;
    }
    return n;
  };
  await open(page, "/topics", "topics-table");
  await page.locator(`[data-testid="topic-row"][data-topic="${topic}"]`).waitFor();
  const badge = page.getByTestId("read-only-badge");
  found.badge = (await badge.count()) ? await badge.textContent() : null;
  found.createButtons = await visibleEnabled("topic-create-open");
  found.deleteButtonsInList = await visibleEnabled("topic-delete");
  await open(page, `/topics/${encodeURIComponent(topic)}`, "replica-map");
  found.deleteButtonsOnTopic = await visibleEnabled("topic-delete");
  await open(page, `/topics/${encodeURIComponent(topic)}/messages`, "messages-table");
  found.produceForms = await visibleEnabled("produce-open") + await visibleEnabled("produce-submit");
  await open(page, `/topics/${encodeURIComponent(topic)}/configs`, "configs-table");
  found.configSave = await visibleEnabled("config-save");
  found.configInputs = await page.locator('[data-testid^="config-input-"]').count();
  await open(page, `/groups/${encodeURIComponent(group)}`, "group-total-lag");
  found.resetButtons = await visibleEnabled("reset-submit");
  found.mutatingElements = await page.locator("[data-mutating]").count();
  return found;
});
