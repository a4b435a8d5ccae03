// Shared by the console's browser scenarios: start Debian's chromium through playwright-core
// (never a downloaded browser), poll the page with deadlines, print one RESULT line for the C++
// driver (console_e2e_test) to parse.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const webDir = join(here, "..", "web");

export const consoleUrl = process.env.CONSOLE_URL ?? fail("CONSOLE_URL is not set (the console's base URL)");
export const screenshotDir = process.env.SCREENSHOT_DIR ?? join(here, "..", "..", ".klab", "artifacts", "screenshots");
const scale = Number(process.env.KLAB_TIMEOUT_MULTIPLIER) > 0 ? Number(process.env.KLAB_TIMEOUT_MULTIPLIER) : 1;
/** A deadline in ms, stretched by KLAB_TIMEOUT_MULTIPLIER like the C++ tests' deadlines. */
export const scaled = (ms) => ms * scale;

function fail(message) {
  console.log(`RESULT ${JSON.stringify({ ok: false, error: message })}`);
  process.exit(1);
}

function loadPlaywright() {
  const require = createRequire(join(webDir, "package.json"));
  try {
    return require("playwright-core");
  } catch {
    return fail(`playwright-core is not installed in ${webDir}/node_modules: run scripts/setup (it runs npm ci there)`);
  }
}

export function chromiumPath() {
  const path = process.env.KLAB_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(path)) fail(`chromium not found at ${path}: run scripts/setup (it apt-installs Debian's chromium)`);
  return path;
}

/**
 * Runs `body(page, ctx)` in a fresh headless chromium page and prints RESULT {ok, ...data}.
 * `args` adds chromium flags (e.g. --host-resolver-rules to give 127.0.0.1 a foreign name).
 * Any thrown error, page error or failed expectation prints RESULT {ok:false, error} and exits 1.
 */
export async function scenario(name, body, { args = [] } = {}) {
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", ...args],
  });
  const pageErrors = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "ko-KR" });
    const page = await context.newPage();
    page.setDefaultTimeout(scaled(20_000));
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const data = await body(page, { pageErrors });
    if (pageErrors.length) throw new Error(`the page threw: ${pageErrors.join(" | ")}`);
    console.log(`RESULT ${JSON.stringify({ ok: true, scenario: name, ...data })}`);
    await browser.close();
    process.exit(0);
  } catch (err) {
    let shot = null;
    try {
      const pages = browser.contexts().flatMap((c) => c.pages());
      if (pages.length) {
        mkdirSync(screenshotDir, { recursive: true });
        shot = join(screenshotDir, `failed-${name}.png`);
        await pages[0].screenshot({ path: shot, fullPage: true });
      }
    } catch {
      shot = null;
    }
    console.log(`RESULT ${JSON.stringify({ ok: false, scenario: name, error: String(err?.message ?? err), screenshot: shot, pageErrors })}`);
    await browser.close().catch(() => {});
    process.exit(1);
  }
}

/** Opens a console route (hash path like "/topics") and waits for the element `testid`. */
export async function open(page, route, testid) {
  await page.goto(`${consoleUrl}/#${route}`);
  if (testid) await page.getByTestId(testid).first().waitFor({ state: "visible" });
}

/**
 * Polls `probe()` (async, returns a value) until `accept(value)` or the deadline; throws with
 * the last value seen, so a failure says what the page showed instead.
 */
export async function until(what, probe, accept, timeoutMs = 30_000, intervalMs = 250) {
  const deadline = Date.now() + scaled(timeoutMs);
  let last;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      last = `error: ${err.message}`;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${scaled(timeoutMs)} ms (last seen: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Saves a full-page PNG to SCREENSHOT_DIR/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export function env(name) {
  return process.env[name] ?? fail(`${name} is not set`);
}

/**
 * Marker files in SIGNAL_DIR coordinate a scenario with the C++ test: `signal` says the page
 * reached a step, `awaitSignal` waits (with a deadline) for the C++ side to finish its step.
 */
export function signal(name, text = "") {
  writeFileSync(join(env("SIGNAL_DIR"), name), text);
}

export async function awaitSignal(name, timeoutMs = 120_000) {
  const file = join(env("SIGNAL_DIR"), name);
  await until(`the test's '${name}' signal`, () => existsSync(file), (seen) => seen, timeoutMs, 100);
}
