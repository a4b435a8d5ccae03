// Watches the overview while the C++ side kills the cluster's only node (signals): the page must
// show the unreachable state without throwing, live and after a reload; saves cluster-down.png.
import { awaitSignal, open, scenario, screenshot, signal, until } from "./lib.mjs";

await scenario("cluster_down", async (page, { pageErrors }) => {
  await open(page, "/", "cluster-id");
  const status = () => page.getByTestId("cluster-status").textContent();
  const before = await until("cluster connected", status, (t) => t.includes("연결됨"));
  const bannersBefore = await page.getByTestId("cluster-unreachable").count();
  signal("overview-open");
  await awaitSignal("killed");
  const strip = page.getByTestId("cluster-unreachable");
  await strip.waitFor({ state: "visible", timeout: 90_000 });
  const live = { strip: await strip.textContent(), status: await status() };
  const warning = await until("an error warning on the overview",
    () => page.locator(".warning-error").allTextContents(), (w) => w.length > 0, 60_000);

  await page.reload();
  await page.getByTestId("cluster-unreachable").waitFor({ state: "visible" });
  const afterReload = {
    status: await status(),
    warnings: await page.locator(".warning-error").allTextContents(),
    brokersDown: await page.locator('[data-testid="brokers"] [data-testid="broker-down"]').count(),
  };
  const shot = await screenshot(page, "cluster-down");
  return { before: before.trim(), bannersBefore, live, warning, afterReload, pageErrors: [...pageErrors], shot };
});
