// The 7.1 tuning guide shows its benchmark charts: each image is fetched from /api/reports and
// decodes to a picture with a size (a broken image has naturalWidth 0).
import { open, scenario, until } from "./lib.mjs";

await scenario("guide_charts", async (page) => {
  await open(page, "/guides/lessons/p7_tuning/README.md", "guide");
  const images = page.getByTestId("guide-image");
  await until("the charts in the guide", () => images.count(), (n) => n >= 2);
  await until("every chart decoded", () => images.evaluateAll((els) => els.every((img) => img.complete)), (done) => done);
  const charts = await images.evaluateAll((els) => els.map((img) => ({ src: img.getAttribute("src"), width: img.naturalWidth })));
  return { charts };
});
