// DNS rebinding: a site whose name now resolves to 127.0.0.1 loads the console's port under its
// own name, so the browser treats the console as that site and lets its scripts read answers.
// The console must refuse every request whose Host is not its own address.
import { consoleUrl, env, scenario } from "./lib.mjs";

const secret = env("SECRET_TOPIC");
const port = new URL(consoleUrl).port;
const rebound = `http://evil.example:${port}`;

await scenario("dns-rebinding", async (page) => {
  const nav = await page.goto(`${rebound}/`);
  const pageStatus = nav?.status() ?? 0;
  // Same-origin now (the page is evil.example:port): the browser would show the script the data.
  const api = await page.evaluate(async () => {
    const r = await fetch("/api/topics");
    return { status: r.status, text: await r.text() };
  });
  return { rebound, pageStatus, apiStatus: api.status, leaked: api.text.includes(secret), body: api.text.slice(0, 300) };
}, { args: ["--host-resolver-rules=MAP evil.example 127.0.0.1"] });
