// The listening pages in real Chromium against `comptoir demo`: write a listening query
// and see its preview, and a broken one explained in plain words; open the dashboard,
// watch it refresh, drill down from a chart to the mentions behind it; export a chart;
// hostile text executes nothing; axe-core finds no serious or critical violation; and
// screenshots for the README. Started by run.sh, which passes the demo's URL and
// credentials in the environment.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, base, checkAccessibility, chromiumOptions, email, password, screenshot, token, usePage, visit } from "./support.mjs";

const runId = Date.now().toString(36);
const HOSTILE = "<script>window.__xss=1</script><img src=x onerror=alert(1)>";

let profileDir;
let context;
let page;
const dialogs = [];

async function checkNothingExecuted(label) {
  const state = await page.evaluate(() => ({
    flag: window.__xss ?? null,
    alerts: window.__alerts ?? [],
    injected: Array.from(document.querySelectorAll("main script, main img[src='x'], main iframe, main [onerror], main [onload], a[href^='javascript:' i]"))
      .map((element) => element.outerHTML.slice(0, 80)),
  }));
  assert.equal(state.flag, null, `a script ran on ${label}`);
  assert.deepEqual(state.alerts, [], `alert() was called on ${label}`);
  assert.deepEqual(state.injected, [], `elements injected on ${label}`);
  assert.deepEqual(dialogs, [], `a dialog opened on ${label}`);
}

before(async () => {
  assert.ok(base && token && email && password, "run through run.sh (it starts the demo)");
  profileDir = mkdtempSync(join(tmpdir(), "comptoir-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    ...chromiumOptions,
    locale: "en-GB",
    viewport: { width: 1280, height: 900 },
  });
  await context.addInitScript(() => {
    window.__alerts = [];
    for (const name of ["alert", "confirm", "prompt"]) {
      window[name] = (...args) => { window.__alerts.push(`${name}:${args.join(",")}`); };
    }
  });
  page = context.pages()[0] ?? (await context.newPage());
  usePage(page);
  page.on("dialog", async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  // Hostile text in the stream the dashboard and the search show.
  const hostile = {
    source: "x", external_id: `${runId}-hostile`, text: `@AlizeAir retard ${HOSTILE}`, created_at: new Date().toISOString(),
    author: { handle: `eve_${runId}`, display_name: HOSTILE },
  };
  const stored = await api("POST", "/api/v1/mentions", JSON.stringify(hostile) + "\n", "application/x-ndjson");
  assert.equal(stored.status, 201, stored.text);
  await visit("/app/listening");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/app/listening");
  // The other journeys may have left the administrator's stored language in French.
  if (await page.evaluate(() => document.documentElement.lang) !== "en") {
    await page.getByRole("button", { name: "English" }).click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
  }
});

after(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

test("a listening query previews its matches as it is typed, and a broken one is explained", async () => {
  await visit("/app/topics");
  await checkAccessibility("the topics page");
  const query = page.getByLabel("Query", { exact: true });
  await query.fill("retard* OR delay*");
  const count = page.locator("#query-preview .preview-count");
  await page.waitForFunction(() => /stored mentions? match/.test(document.querySelector("#query-preview .preview-count").textContent));
  assert.match(await count.textContent(), /^\d[\d,\s]* stored mentions? match/);
  assert.ok(await page.locator("#query-preview .preview-list li").count() > 0, "the newest matches are listed");
  await screenshot("topics");
  await query.fill('"lost luggage');
  const problem = page.locator("#query-problem");
  await problem.waitFor({ state: "visible" });
  assert.equal(await problem.textContent(), "A closing quote is missing after “\"lost luggage” (the phrase opened at character 1).");
  assert.equal(await query.getAttribute("aria-invalid"), "true");
  await query.fill("luggage NEAR/x lost");
  await page.waitForFunction(() => document.getElementById("query-problem").textContent.startsWith("NEAR needs a number"));
  await checkAccessibility("the topics page with a query error");
  // A fixed query saves as a topic and the list shows it.
  await page.getByLabel("Name", { exact: true }).fill(`Bagages ${runId}`);
  await query.fill("luggage NEAR/3 lost OR ~bagage");
  await page.waitForFunction(() => document.getElementById("query-problem").hidden);
  await page.getByRole("button", { name: "Save the topic" }).click();
  await page.locator("table.data th", { hasText: `Bagages ${runId}` }).waitFor();
  await checkNothingExecuted("the topics page");
});

test("the dashboard draws its charts, refreshes them without losing focus, and drills down to the mentions", async () => {
  await visit("/app/listening?range=24h");
  for (const title of ["Volume by source", "Volume by sentiment", "Share of voice", "Complaint reasons", "Intents", "Top authors by real influence", "Emerging terms"]) {
    await page.locator("figure.chart figcaption", { hasText: title }).first().waitFor();
  }
  const sov = await page.locator('[data-chart="share_of_voice"] table').textContent();
  assert.match(sov, /Alizé Air/, "the brand is in the share of voice");
  assert.match(sov, /Aéro Bleu/, "so is its competitor");
  await checkAccessibility("the listening dashboard");
  await checkNothingExecuted("the listening dashboard");
  await screenshot("listening-dashboard");
  // Focus a link inside a chart: the refresh replaces the other charts, not this one.
  const exportLink = page.locator('[data-chart="share_of_voice"] .export a');
  await exportLink.focus();
  const before = await page.evaluate(() => document.getElementById("listening-charts").dataset.refreshedAt ?? "");
  await page.waitForFunction((previous) => (document.getElementById("listening-charts").dataset.refreshedAt ?? "") !== previous, before, { timeout: 40_000 });
  assert.equal(await page.evaluate(() => document.activeElement.closest("[data-chart]")?.dataset.chart), "share_of_voice", "focus stayed put");
  // Drill down from the share-of-voice bar of the brand.
  const bar = page.locator('[data-chart="share_of_voice"] details a', { hasText: "Alizé Air" });
  await page.locator('[data-chart="share_of_voice"] details summary').click();
  const href = await bar.getAttribute("href");
  assert.match(href, /^\/app\/search\?q=%2A&topic=\d+&from=/);
  await bar.click();
  await page.waitForURL((url) => url.pathname === "/app/search");
  assert.match(await page.locator("p.filters").textContent(), /In the topic\s+Alizé Air/);
  const total = Number((await page.locator("p.total strong").textContent()).replace(/\D/g, ""));
  assert.ok(total > 0, "the brand's mentions are listed");
  assert.ok(await page.locator("ol.mentions li").count() > 0);
  await checkAccessibility("the search page");
  await checkNothingExecuted("the search page");
  // A facet refines the query.
  await page.locator(".facet a", { hasText: /^x$/ }).first().click();
  await page.waitForURL((url) => url.searchParams.get("q") === "source:x");
  await screenshot("search");
});

test("a chart exports as CSV and a bucket drills down to its hour", async () => {
  const answer = await api("GET", "/api/v1/dashboards/listening?range=24h&format=csv&chart=volume_by_source");
  assert.equal(answer.status, 200);
  assert.equal(answer.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.match(answer.headers.get("content-disposition"), /^attachment; filename="listening-volume_by_source-24h.csv"$/);
  assert.match(answer.text.split("\n")[0], /^bucket_start,/);
  await visit("/app/listening?range=24h");
  const lastBucket = page.locator('[data-chart="volume_by_source"] svg a').last();
  const href = await lastBucket.getAttribute("href");
  assert.match(href, /from=.*&to=/);
  await visit(href);
  assert.ok(Number((await page.locator("p.total strong").textContent()).replace(/\D/g, "")) > 0, "the latest hour has mentions");
});

test("the pages read in French", async () => {
  await page.getByRole("button", { name: "Français" }).click();
  await page.waitForFunction(() => document.documentElement.lang === "fr");
  await visit("/app/listening");
  await page.locator("figure.chart figcaption", { hasText: "Part de voix" }).waitFor();
  await visit("/app/topics");
  await page.getByLabel("Requête", { exact: true }).fill("(retard");
  await page.waitForFunction(() => document.getElementById("query-problem").textContent.startsWith("Il manque la parenthèse fermante"));
  await checkAccessibility("the topics page in French");
  await screenshot("topics-fr");
  await page.getByRole("button", { name: "English" }).click();
  await page.waitForFunction(() => document.documentElement.lang === "en");
});
