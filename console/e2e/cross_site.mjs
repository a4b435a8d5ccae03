// A page on another site (evil.example, resolved to 127.0.0.1 by chromium alone) tries what a
// cross-site form and a no-cors fetch can do against the console: create a topic. The C++ test
// then checks the topic does not exist.
import { createServer } from "node:http";
import { consoleUrl, env, scenario, until } from "./lib.mjs";

const topic = env("TOPIC");
const body = JSON.stringify({ name: topic, partitions: 1 });
const evilPage = `<!doctype html><meta charset="utf-8"><title>evil</title>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${consoleUrl}/api/topics" enctype="text/plain" target="sink">
  <input name='${body.slice(0, -1)}, "x": "' value='"}'>
</form>
<script>
  window.fetchOutcome = fetch(${JSON.stringify(consoleUrl + "/api/topics")}, {
    method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" },
    body: ${JSON.stringify(body)},
  }).then((r) => "sent (" + r.type + ")", (e) => "failed: " + e.message);
  document.getElementById("f").submit();
  window.formSent = true;
</script>`;

const evil = createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(evilPage);
});
await new Promise((resolve) => evil.listen(0, "127.0.0.1", resolve));
const evilUrl = `http://evil.example:${evil.address().port}/`;

await scenario("cross-site", async (page) => {
  await page.goto(evilUrl);
  const fetchOutcome = await page.evaluate(() => window.fetchOutcome);
  await until("the form's POST", () => page.evaluate(() => window.formSent === true), (v) => v);
  // The form's answer loads into the iframe: wait until it has one.
  const frame = page.frame({ name: "sink" });
  const formAnswer = await until("the console's answer to the form", async () => frame.evaluate(() => document.body?.innerText ?? ""), (t) => t.length > 0);
  evil.close();
  return { evilUrl, fetchOutcome, formAnswer };
}, { args: ["--host-resolver-rules=MAP evil.example 127.0.0.1"] });
