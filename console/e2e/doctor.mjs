// The Doctor page runs the monitoring checklist and shows each check with its status and fix.
import { open, scenario, screenshot, until } from "./lib.mjs";

await scenario("doctor", async (page) => {
  await open(page, "/doctor", "doctor-page");
  const rows = page.getByTestId("doctor-row");
  await until("the checklist", () => rows.count(), (n) => n === 9, 90_000);
  const checks = await rows.evaluateAll((els) => els.map((tr) => ({
    status: tr.getAttribute("data-status"),
    cells: [...tr.querySelectorAll("td")].map((td) => td.textContent),
  })));
  const summary = await page.getByTestId("doctor-summary").textContent();
  const shot = await screenshot(page, "doctor");
  return { checks, summary, screenshot: shot };
});
