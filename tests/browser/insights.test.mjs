// The supervisor's and the early warning's pages in real Chromium: during the demo's
// simulated spike an incident appears in the list and its page explains it; the care
// report's numbers equal the API's for the same period; an alert rule is created and
// tested from its page; axe-core on every page; screenshots for the README.
// Started by run.sh after journeys.test.mjs, with the demo's URL and credentials.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, base, checkAccessibility, chromiumOptions, email, password, screenshot, token, usePage, visit } from "./support.mjs";

const runId = Date.now().toString(36);

let profileDir;
let context;
let page;

before(async () => {
  assert.ok(base && token && email && password, "run through run.sh (it starts the demo)");
  profileDir = mkdtempSync(join(tmpdir(), "comptoir-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    ...chromiumOptions,
    locale: "en-GB",
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  usePage(page);
  await page.goto(base + "/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/app");
  const me = await api("GET", "/api/v1/me");
  if (me.json?.language === "fr") await api("PUT", "/api/v1/me/language", { language: "en" });
});

after(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

test("the demo's spike becomes an incident that its page explains", { timeout: 300_000 }, async () => {
  let incident = null;
  for (let attempt = 0; attempt < 240 && !incident; attempt++) {
    incident = (await api("GET", "/api/v1/incidents")).json?.items?.[0] ?? null;
    if (!incident) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.ok(incident, "the demo's spike opened an incident");
  await visit("/app/incidents");
  const row = page.locator(`#incidents tr[data-incident-id="${incident.id}"]`);
  await row.waitFor();
  await checkAccessibility("the incident list");
  await screenshot("incidents");
  await row.getByRole("link").click();
  await page.waitForURL((url) => url.pathname === `/app/incidents/${incident.id}`);
  await page.locator("figure.chart rect.anomaly").first().waitFor();
  assert.equal(await page.locator("#incident-size").textContent(), String(incident.mention_count));
  if (incident.drivers.length > 0) {
    const shown = await page.locator("#incident-drivers").textContent();
    assert.ok(shown.includes(incident.drivers[0].value), "the strongest driver is shown");
  }
  assert.equal(await page.locator("#crisis-mode").getAttribute("href"), `/app/incidents/${incident.id}/crisis`);
  await checkAccessibility("an incident's page");
  await screenshot("incident");
  // Acknowledge it through the page's form (PATCH through the API).
  if (incident.status === "open") {
    await page.getByLabel("Status", { exact: true }).selectOption("acknowledged");
    await page.locator("#incident-status-save").click();
    await page.locator('#incident-current-status[data-status="acknowledged"]').waitFor();
  }
});

test("the care report's numbers equal the API's for the same period", async () => {
  // A period that ended two minutes ago: the demo keeps opening cases, and a case's
  // reception time is its message's, so "until now" would grow between the two reads.
  const end = new Date(Date.now() - 120_000);
  const start = new Date(end.getTime() - 86_400_000);
  await visit(`/app/reports?from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}`);
  const period = page.locator("#report-period");
  const from = await period.getAttribute("data-from");
  const to = await period.getAttribute("data-to");
  const report = (await api("GET", `/api/v1/reports/care?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).json;
  assert.ok(report, "the API answers for the page's period");
  assert.equal(await page.locator("#total-received").getAttribute("data-value"), String(report.totals.received));
  assert.equal(await page.locator("#total-backlog").getAttribute("data-value"), String(report.totals.backlog));
  assert.equal(await page.locator("#total-out-of-hours").getAttribute("data-value"), String(report.totals.out_of_hours_backlog));
  assert.equal(await page.locator("#total-customers").getAttribute("data-value"), String(report.totals.customers_served));
  assert.ok(await page.locator("figure.chart").count() >= 5, "times, hours, days, teams and agents are charted");
  const csvLink = page.locator("a.csv").first();
  const csv = await fetch(new URL(await csvLink.getAttribute("href"), base), { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get("content-disposition"), /attachment; filename="care-report-/);
  await checkAccessibility("the care report");
  await screenshot("care-report");
  await visit("/app/staffing?handling_minutes=8&agents_on_duty=3");
  await page.locator("#staffing-roster[data-value='3']").waitFor();
  await checkAccessibility("the staffing forecast");
  await screenshot("staffing");
});

test("create an alert rule and send a sample from its page", async () => {
  await visit("/app/alerts");
  const name = `Panne ${runId}`;
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Watches", { exact: true }).selectOption("keyword");
  await page.getByLabel("Keyword (keyword rule)").fill("panne");
  await page.getByRole("button", { name: "Create the rule" }).click();
  const row = page.locator("#alert-rules tr", { hasText: name });
  await row.waitFor();
  const before = (await api("GET", "/api/v1/alerts")).json.items.length;
  await row.getByRole("button", { name: "Send a sample" }).click();
  await page.waitForLoadState("load");
  for (let attempt = 0; attempt < 50; attempt++) {
    if ((await api("GET", "/api/v1/alerts")).json.items.length > before) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok((await api("GET", "/api/v1/alerts")).json.items.length > before, "the sample is in the history");
  await visit("/app/alerts");
  await page.locator("#alert-history li", { hasText: "sample" }).first().waitFor();
  await checkAccessibility("the alert rules");
  await screenshot("alerts");
  // A webhook without its address is refused with the server's words, not a crash.
  await page.getByLabel("Name", { exact: true }).fill(`Broken ${runId}`);
  await page.getByLabel("Channel", { exact: true }).selectOption("webhook");
  await page.getByRole("button", { name: "Create the rule" }).click();
  await page.locator("#new-rule .form-error").waitFor();
});
