// A guide shows its pictures (GUIDE, default the 7.1 tuning guide with its benchmark charts):
// each image is fetched from the console's API and decodes to a picture with a size (a broken
// image has naturalWidth 0).
import { open, scenario, until } from "./lib.mjs";

const guide = process.env.GUIDE ?? "lessons/p7_tuning/README.md";
const atLeast = Number(process.env.MIN_IMAGES ?? 2);
await scenario("guide_charts", async (page) => {
  await open(page, `/guides/${guide}`, "guide");
  const images = page.getByTestId("guide-image");
  await until("the pictures in the guide", () => images.count(), (n) => n >= atLeast);
  await until("every chart decoded", () => images.evaluateAll((els) => els.every((img) => img.complete)), (done) => done);
  const charts = await images.evaluateAll((els) => els.map((img) => ({ src: img.getAttribute("src"), width: img.naturalWidth })));
  return { charts };
});
