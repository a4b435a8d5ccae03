// Resets GROUP's offsets to TO (earliest|latest) on the group page with the typed confirmation,
// after the page showed LAG_BEFORE; returns the total lag the page shows afterwards (LAG_AFTER).
// The chosen target must survive the page's periodic refresh (it redraws the panel).
import { env, open, scenario, until } from "./lib.mjs";

const group = env("GROUP");
const to = env("TO");
const lagBefore = env("LAG_BEFORE");
const lagAfter = env("LAG_AFTER");
await scenario(`reset_offsets_${to}`, async (page) => {
  await open(page, `/groups/${encodeURIComponent(group)}`, "group-total-lag");
  const lag = () => page.getByTestId("group-total-lag").textContent();
  await until(`total lag ${lagBefore}`, lag, (t) => t.trim() === lagBefore, 60_000);
  await page.getByTestId("reset-to").selectOption(to);
  // Let the page's periodic refresh redraw the panel (two answers: the first one's redraw is
  // done by the time the second arrives) before confirming.
  const groupAnswer = () => page.waitForResponse((r) => r.url().endsWith(`/api/groups/${encodeURIComponent(group)}`));
  await groupAnswer();
  await groupAnswer();
  const chosenAfterRefresh = await page.getByTestId("reset-to").inputValue();
  await page.getByTestId("reset-submit").click();
  await page.getByTestId("confirm-input").fill(group);
  const answer = page.waitForResponse((r) => r.url().includes("/reset-offsets"));
  await page.getByTestId("confirm-ok").click();
  const response = await answer;
  const body = await response.json();
  const notice = await page.getByTestId("notice-banner").textContent();
  const shown = await until(`total lag ${lagAfter}`, lag, (t) => t.trim() === lagAfter, 60_000);
  const committed = await page.getByTestId("offset-committed").allTextContents();
  return { chosenAfterRefresh, status: response.status(), offsets: body.offsets ?? null, notice,
    lag: shown.trim(), committed };
});
