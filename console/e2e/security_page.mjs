// The security page of a secured cluster: its ACLs and SCRAM users as the console's principal sees them.
import { env, open, scenario, screenshot, until } from "./lib.mjs";

const resource = env("ACL_RESOURCE");
await scenario("security-page", async (page) => {
  await open(page, "/security", "security-page");
  const rows = page.getByTestId("acl-row");
  const aclTexts = await until("the ACL in the table", () => rows.allTextContents(), (t) => t.some((r) => r.includes(resource)));
  const userTexts = await until("the SCRAM users", () => page.getByTestId("user-row").allTextContents(), (t) => t.length >= 3, 60_000);
  const principal = await page.getByTestId("security-principal").textContent();
  const shot = await screenshot(page, "security");
  return { aclTexts, userTexts, principal, screenshot: shot };
});
