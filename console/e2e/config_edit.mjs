// Sets retention.ms=VALUE on TOPIC's configs tab, then tries the invalid value BAD: the server's
// error must appear in the banner and the page, read again, still shows VALUE.
import { env, open, scenario, until } from "./lib.mjs";

const topic = env("TOPIC");
const value = env("VALUE");
const bad = env("BAD");
await scenario("config_edit", async (page) => {
  const puts = [];
  page.on("response", (r) => {
    if (r.request().method() === "PUT") puts.push(r.status());
  });
  await open(page, `/topics/${encodeURIComponent(topic)}/configs`, "configs-table");
  await page.getByTestId("config-new-key").fill("retention.ms");
  await page.getByTestId("config-new-value").fill(value);
  await page.getByTestId("config-save").click();
  const notice = await page.getByTestId("notice-banner").textContent();
  const input = page.getByTestId("config-input-retention.ms");
  const shown = await input.inputValue();

  await input.fill(bad);
  await page.getByTestId("config-save").click();
  await page.getByTestId("error-banner").waitFor({ state: "visible" });
  const error = await page.getByTestId("error-message").textContent();

  await page.reload();
  await page.getByTestId("configs-table").waitFor({ state: "visible" });
  const afterReload = await until("retention.ms after reload", () => input.inputValue(), (v) => v.length > 0);
  return { notice, shown, error, afterReload, puts };
});
