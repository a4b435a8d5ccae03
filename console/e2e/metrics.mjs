// The Metrics page: the broker table shows the live broker, the topic's traffic appears in the
// per-topic table and in the per-topic messages-in chart.
import { env, open, scenario, screenshot, until } from "./lib.mjs";

const topic = env("TOPIC");
await scenario("metrics", async (page) => {
  await open(page, "/metrics", "metrics-brokers");
  const brokerRows = await until("a broker row", () => page.getByTestId("metrics-broker-row").allTextContents(), (r) => r.length >= 1, 30_000);
  const topicRows = await until(`topic ${topic} in the per-topic table`,
    () => page.getByTestId("metrics-topic-row").allTextContents(), (r) => r.some((t) => t.includes(topic)), 60_000);
  const legend = await until(`topic ${topic} in the messages-in chart`,
    () => page.locator('[data-testid="chart-topic-messages"] .u-legend').textContent(), (t) => t.includes(topic), 60_000);
  const unavailable = await page.getByTestId("metrics-unavailable").count();
  const shot = await screenshot(page, "metrics-live");
  return { brokerRows, topicRows, legend, unavailable, shot };
});
