// What every browser journey file shares: the demo's address and credentials (set by
// run.sh), the API client, Chromium's launch options, and the page helpers (visit,
// screenshot, the axe-core check). A file hands its page over with `usePage(page)`.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const base = process.env.COMPTOIR_URL;
export const token = process.env.COMPTOIR_TOKEN;
export const email = process.env.COMPTOIR_EMAIL;
export const password = process.env.COMPTOIR_PASSWORD;
const screenshotDir = process.env.SCREENSHOT_DIR;

/// Debian's Chromium, headless, with the flags this machine needs (DEVELOPERS.md).
export const chromiumOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
};

let page;

export function usePage(current) {
  page = current;
}

/// The API with the demo's token. A string body is sent as it is (NDJSON, or JSON already
/// written), anything else as JSON.
export async function api(method, path, body, contentType = "application/json") {
  const payload = body === undefined || body === null ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const response = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(payload !== undefined ? { "Content-Type": contentType } : {}) },
    body: payload,
  });
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: response.status, json, text, headers: response.headers };
}

export async function screenshot(name, fullPage = false) {
  if (!screenshotDir) return;
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage });
}

/// axe-core on the page: no serious or critical violation.
export async function checkAccessibility(label) {
  await page.evaluate(axeSource); // through the DevTools protocol: the page's CSP stays strict
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `axe-core on ${label}`);
}

export async function visit(path) {
  let response;
  for (let attempt = 1; ; attempt++) {
    try {
      response = await page.goto(base + path);
      break;
    } catch (error) {
      // A navigation the page started itself (app.js reloading after a form's answer) can
      // abort ours: let it finish, then go.
      if (attempt >= 3 || !/ERR_ABORTED|interrupted by another navigation/.test(String(error))) throw error;
      await page.waitForLoadState("load");
    }
  }
  assert.ok(response.ok(), `${path} answered ${response.status()}`);
}
