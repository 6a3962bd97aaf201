// Crisis mode and the publishing calendar in real Chromium, during the demo's simulated
// spike: the spike's incident appears and its page explains it; its crisis page shows a
// preview of every message of the bulk reply (signed, within its channel's limit) before
// anything is sent; a tampered digest is refused with the server's reason; the send
// reports its result. A post scheduled from the calendar is held while crisis mode is on
// (the calendar says why), the broadcast reaches each brand account, and the resolved
// outage's notice is previewed then sent the same way. axe-core on both pages;
// screenshots for the README. Started by run.sh with the demo's URL and credentials.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { api, base, checkAccessibility, chromiumOptions, email, password, screenshot, token, usePage, visit } from "./support.mjs";

/// The demo administrator's signature (service::demo).
const SIGNATURE = "^DA";

let profileDir;
let context;
let page;
let incident;

/// Clicks "send" and waits for the result; the server's refusal, if any, as the error.
async function send() {
  await page.locator("#send-preview .form-error").evaluateAll((errors) => errors.forEach((error) => error.remove()));
  await page.locator("#send-button").click();
  await page.locator("#send-result, #send-preview .form-error").first().waitFor();
  const refused = page.locator("#send-preview .form-error");
  if (await refused.count()) throw new Error(`the send was refused: ${await refused.textContent()}`);
}

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
  // Leave the demo as it was: crisis mode off (the later journeys publish nothing, but a
  // person watching the demo would wonder why the schedule is held).
  if (incident) await api("POST", `/api/v1/incidents/${incident.id}/crisis`, { active: false });
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

test("during the spike, the incident's bulk reply is previewed whole, then sent exactly as shown", { timeout: 300_000 }, async () => {
  for (let attempt = 0; attempt < 240 && !incident; attempt++) {
    incident = (await api("GET", "/api/v1/incidents")).json?.items?.find((item) => item.mention_count > 0) ?? null;
    if (!incident) await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.ok(incident, "the demo's spike opened an incident");

  // The incident's page explains it and leads to crisis mode.
  await visit(`/app/incidents/${incident.id}`);
  await page.locator("#incident-summary").waitFor();
  await page.locator("#crisis-mode").click();
  await page.waitForURL((url) => url.pathname === `/app/incidents/${incident.id}/crisis`);
  await page.locator('#crisis-state[data-active="false"]').waitFor();
  // The broadcast composer counts the text per channel as it is typed.
  await page.getByLabel("Update", { exact: true }).fill("Network outage in Lyon: our teams are on it. Next update at 18:00.");
  assert.equal(await page.locator("#broadcast-count-x").textContent(), "66");
  await checkAccessibility("the crisis page");
  await screenshot("crisis");

  // The bulk reply: every message previewed before anything is sent.
  await page.getByLabel("Reply template").fill("Hello {name}, the outage is known and our teams are on it.");
  await page.getByRole("button", { name: "Preview every message" }).click();
  await page.waitForURL((url) => url.searchParams.has("preview"));
  const firstPreviewId = new URL(page.url()).searchParams.get("preview");
  const preview = (await api("GET", `/api/v1/incidents/${incident.id}/bulk/${firstPreviewId}`)).json;
  assert.ok(preview && preview.messages.length > 0, "the preview has messages");
  const rows = page.locator("#preview-messages tr.preview-message");
  assert.equal(await rows.count(), preview.messages.length, "one row per related author, as the API stored it");
  const authors = new Set(preview.messages.map((message) => `${message.channel}/${message.recipient}`));
  assert.equal(authors.size, preview.messages.length, "each author once");
  const ready = page.locator('#preview-messages tr.preview-message[data-status="ready"]');
  assert.equal(await ready.count(), preview.ready);
  const reasons = [...new Set(preview.messages.map((message) => message.reason).filter(Boolean))];
  assert.ok(preview.ready > 0, `someone to answer (incident ${incident.id} "${incident.slice}", ${preview.messages.length} authors, skipped: ${reasons.join("; ")})`);
  for (const row of (await ready.all()).slice(0, 20)) {
    const text = (await row.locator(".message-text").textContent()).trim();
    assert.ok(text.endsWith(SIGNATURE), `signed: ${text}`);
    const length = row.locator("td.length");
    const limit = await length.getAttribute("data-limit");
    if (limit) assert.ok(Number(await length.getAttribute("data-length")) <= Number(limit), "within the channel's limit");
  }
  await page.locator("#preview-rates tr[data-rate]").first().waitFor();
  await checkAccessibility("the bulk reply's preview");
  await screenshot("crisis-preview");

  // A digest that is not the preview's is refused, with the server's reason shown.
  const digest = page.locator('#send-preview input[name="digest"]');
  const realDigest = await digest.getAttribute("value");
  await digest.evaluate((input) => { input.value = "0000"; });
  await page.locator("#send-button").click();
  await page.locator("#send-preview .form-error", { hasText: "preview again" }).waitFor();
  await digest.evaluate((input, value) => { input.value = value; }, realDigest);

  // Send: the previewed messages (any author answered since the preview, e.g. by crisis
  // mode's acknowledgement, is skipped), then the result.
  const previewId = firstPreviewId;
  assert.ok(await page.locator("#send-button").count(), "the preview has messages to send");
  await send();
  const result = (await api("GET", `/api/v1/incidents/${incident.id}/bulk/${previewId}`)).json;
  assert.ok(result.sent_at, "the preview was sent");
  const counted = async (status) => Number(await page.locator(`#send-progress li[data-status="${status}"] strong`).textContent());
  assert.equal((await counted("sent")) + (await counted("queued")), result.ready, "every ready message was queued or sent");
  assert.ok(result.messages.every((message) => message.status !== "ready"), "nothing left unsent");
  const sentIds = result.messages.filter((message) => message.outbox_id).map((message) => message.outbox_id);
  if (sentIds.length > 0) {
    const after = Math.min(...sentIds) - 1;
    const outbox = (await api("GET", `/api/v1/outbox?after=${after}&limit=1000`)).json;
    const row = outbox.find((item) => item.id === Math.min(...sentIds));
    assert.ok(row, "the sent messages are in the outbox (the sandbox sink)");
  }
  await screenshot("crisis-sent");
});

test("crisis mode holds the publishing calendar, and its broadcast reaches every brand account", { timeout: 120_000 }, async () => {
  assert.ok(incident, "the first test found the incident");
  // A post composed, scheduled for tomorrow and approved from the calendar.
  await visit("/app/publishing");
  const tomorrow = new Date(Date.now() + 86_400_000);
  const local = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const when = local(new Date(tomorrow.setHours(10, 0, 0, 0)));
  await page.getByLabel("Channel", { exact: true }).selectOption("x");
  await page.getByLabel("Text", { exact: true }).fill("New routes to Lisbon and Porto this summer!");
  assert.equal(await page.locator("#post-count-x").textContent(), "43");
  await page.getByLabel("Publish at (optional)").fill(when);
  await page.getByRole("button", { name: "Create the post" }).click();
  const postRow = page.locator('#posts tr[data-status="pending_approval"]', { hasText: "New routes to Lisbon" }).first();
  await postRow.waitFor();
  const postId = await postRow.getAttribute("data-post-id");
  await postRow.getByRole("button", { name: "Approve" }).click();
  await page.locator(`#posts tr[data-post-id="${postId}"][data-status="scheduled"]`).waitFor();
  const day = new Date(when).toISOString().slice(0, 10);
  await page.locator(`#calendar td[data-day="${day}"] li[data-post-id="${postId}"]`).waitFor();

  // Crisis mode on: the calendar shows the pause and why; the post waits.
  await visit(`/app/incidents/${incident.id}/crisis`);
  await page.getByRole("button", { name: "Turn crisis mode on" }).click();
  await page.locator('#crisis-state[data-active="true"]').waitFor();
  await page.locator('#crisis-publishing[data-paused="true"]').waitFor();
  // The broadcast: written once, published to each account at once (not held by the pause).
  const update = `Network outage: our teams are on it (${Date.now().toString(36)}).`;
  await page.getByLabel("Update", { exact: true }).fill(update);
  await page.getByRole("button", { name: "Publish to every account" }).click();
  const broadcasts = page.locator('#broadcasts li[data-status="published"]', { hasText: update });
  await broadcasts.first().waitFor();
  assert.equal(await broadcasts.count(), 3, "one post per brand account (X, Bluesky, Mastodon)");
  await visit("/app/publishing");
  await page.locator('#publishing-pause[data-paused="true"]').waitFor();
  await page.locator(`#pause-reasons li[data-reason="crisis"][data-incident-id="${incident.id}"]`).waitFor();
  await page.locator(`#calendar li[data-post-id="${postId}"][data-status="scheduled"]`).waitFor();
  await checkAccessibility("the publishing calendar");
  await screenshot("publishing");

  // Crisis mode off: the hold is lifted.
  await visit(`/app/incidents/${incident.id}/crisis`);
  await page.getByRole("button", { name: "Turn crisis mode off" }).click();
  await page.locator('#crisis-state[data-active="false"]').waitFor();
  await visit("/app/publishing");
  await page.locator('#publishing-pause[data-paused="false"]').waitFor();
});

test("the resolved outage's notice is previewed, then sent as shown", { timeout: 120_000 }, async () => {
  assert.ok(incident, "the first test found the incident");
  await visit(`/app/incidents/${incident.id}/crisis`);
  await page.getByRole("button", { name: "Mark as an outage and resolve it" }).click();
  await page.locator('#notify[data-ready="true"]').waitFor();
  await page.getByRole("button", { name: "Preview the notices" }).click();
  await page.waitForURL((url) => url.searchParams.has("preview"));
  await page.locator('#preview[data-kind="notify"]').waitFor();
  const notices = await page.locator("#preview-messages tr.preview-message").count();
  assert.ok(notices > 0, "every affected author is listed");
  if (await page.locator("#send-button").count()) {
    await send();
  }
});

test("care administration: an SLA policy and a routing rule made from form fields, not JSON", { timeout: 120_000 }, async () => {
  const team = await api("POST", "/api/v1/teams", { name: `Night shift ${Date.now().toString(36)}`, members: [] });
  assert.equal(team.status, 201, team.text);
  await visit("/app/admin/sla");
  const form = page.locator("#new-policy");
  const name = `Montreal ${Date.now().toString(36)}`;
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Team", { exact: true }).selectOption(String(team.json.id));
  await form.getByLabel("urgent · First response due (minutes)").fill("45");
  await form.getByLabel("Time zone", { exact: true }).selectOption("America/Montreal");
  await form.getByLabel("Monday", { exact: true }).fill("08:00-12:00, 13:00-17:00");
  await form.getByLabel("Sunday", { exact: true }).fill("");
  await form.getByLabel("Holidays (YYYY-MM-DD, separated by commas)").fill("2026-12-25, 2027-01-01");
  await checkAccessibility("the SLA policies with their fields");
  await form.locator("fieldset.sla-calendar").scrollIntoViewIfNeeded();
  await screenshot("admin-sla-fields");
  await form.getByRole("button", { name: "Add a policy" }).click();
  const card = page.locator("section.policy", { hasText: name });
  await card.waitFor();
  const policies = (await api("GET", "/api/v1/sla-policies")).json;
  const policy = (policies.items ?? policies).find((item) => item.name === name);
  assert.ok(policy, "the policy is stored");
  assert.equal(policy.calendar.time_zone, "America/Montreal");
  assert.deepEqual(policy.calendar.opening_hours.monday, ["08:00-12:00", "13:00-17:00"]);
  assert.deepEqual(policy.calendar.opening_hours.sunday ?? [], []);
  assert.deepEqual(policy.calendar.holidays, ["2026-12-25", "2027-01-01"]);
  assert.equal(policy.targets.urgent.first_response_minutes, 45);
  // A broken interval is refused with the server's words.
  await form.getByLabel("Name", { exact: true }).fill(`${name} bis`);
  await form.getByLabel("Monday", { exact: true }).fill("25:00-26:00");
  await form.getByRole("button", { name: "Add a policy" }).click();
  await form.locator(".form-error").waitFor();
  await api("DELETE", `/api/v1/sla-policies/${policy.id}`);

  await visit("/app/admin/routing");
  const rule = page.locator("#new-rule");
  const ruleName = `Angry VIPs ${Date.now().toString(36)}`;
  await rule.getByLabel("Name", { exact: true }).fill(ruleName);
  await rule.getByLabel("Team", { exact: true }).selectOption(String(team.json.id));
  await rule.getByLabel("Language", { exact: true }).fill("fr, en");
  await rule.getByLabel("complaint", { exact: true }).check();
  await rule.getByLabel("x", { exact: true }).check();
  await rule.getByLabel("VIP", { exact: true }).selectOption("true");
  await checkAccessibility("the routing rules with their fields");
  await screenshot("admin-routing-fields");
  await rule.getByRole("button", { name: "Add a rule" }).click();
  const row = page.locator("tbody tr.item", { hasText: ruleName });
  await page.locator(`tbody tr.item:has-text("${ruleName}"), #new-rule .form-error`).first().waitFor();
  if (await rule.locator(".form-error").count()) assert.fail(`the rule was refused: ${await rule.locator(".form-error").textContent()}`);
  await row.waitFor();
  const rules = (await api("GET", "/api/v1/routing-rules")).json;
  const stored = (rules.items ?? rules).find((item) => item.name === ruleName);
  assert.ok(stored, "the rule is stored");
  const when = typeof stored.conditions === "string" ? JSON.parse(stored.conditions) : (stored.when ?? stored.conditions);
  assert.deepEqual(when.languages, ["fr", "en"]);
  assert.deepEqual(when.intents, ["complaint"]);
  assert.deepEqual(when.sources, ["x"]);
  assert.equal(when.vip, true);
  await api("DELETE", `/api/v1/routing-rules/${stored.id}`);
});
