// Opens the reset confirmation while GROUP is Empty, lets the C++ side start a consumer in the
// group (signals), then confirms: the server refuses and the page shows its message; after the
// next refresh the page itself explains why resetting is disabled.
import { awaitSignal, env, open, scenario, signal, until } from "./lib.mjs";

const group = env("GROUP");
await scenario("reset_refused", async (page) => {
  await open(page, `/groups/${encodeURIComponent(group)}`, "group-total-lag");
  const submit = page.getByTestId("reset-submit");
  await until("reset enabled while Empty", () => submit.isEnabled(), (e) => e === true);
  await page.getByTestId("reset-to").selectOption("latest");
  await submit.click();
  await page.getByTestId("confirm-input").fill(group);
  signal("confirm-open");
  await awaitSignal("member-joined");
  const answer = page.waitForResponse((r) => r.url().includes("/reset-offsets"));
  await page.getByTestId("confirm-ok").click();
  const status = (await answer).status();
  await page.getByTestId("error-banner").waitFor({ state: "visible" });
  const error = await page.getByTestId("error-message").textContent();
  const banner = await page.getByTestId("error-banner").textContent();
  const reason = await until("the disabled reason", () => page.getByTestId("reset-disabled-reason").textContent(),
    (t) => t.length > 0);
  const notices = await page.getByTestId("notice-banner").count();
  return { status, error, banner, reason, notices, submitDisabled: await submit.isDisabled() };
});
