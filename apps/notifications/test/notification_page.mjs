// The notification page in Debian's chromium (playwright-core, the console's helpers): it
// connects over Server-Sent Events, then shows alice's notifications the moment the rule engine
// emits them, and nobody else's.
import { consoleUrl, scenario, screenshot, until } from "../../../console/e2e/lib.mjs";

await scenario("notification-page", async (page) => {
  await page.goto(`${consoleUrl}/?user=alice`);
  await page.locator('#status[data-connected="1"]').waitFor({ state: "attached" });
  // The C++ test now sends the activity (it watches notify-web's log for this page).
  const items = await until(
    "alice's two notifications",
    async () => page.locator("li.notification").allTextContents(),
    (texts) => texts.length >= 2,
    60_000,
  );
  const security = await page.locator("li.notification.security").allTextContents();
  const shot = await screenshot(page, "notifications-page");
  // A moment more: nothing meant for other users may appear.
  await new Promise((r) => setTimeout(r, 1500));
  const all = await page.locator("li.notification").allTextContents();
  return { items, security, all, screenshot: shot };
});
