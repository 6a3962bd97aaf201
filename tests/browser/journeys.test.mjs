// The web app's journeys in real Chromium: sign in, live mentions without reload, a case
// arriving in the inbox answered, escalated and resolved, merge
// and undo, erasure with its confirmation, keyboard shortcuts, the language switch, an
// XSS corpus on every page, axe-core on every page, and screenshots for the README.
// Started by run.sh, which passes the demo's URL and credentials in the environment.
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
const dialogs = [];

// --- helpers -------------------------------------------------------------------------

async function ingest(mentions) {
  const answer = await api("POST", "/api/v1/mentions", mentions.map((m) => JSON.stringify(m)).join("\n") + "\n", "application/x-ndjson");
  assert.equal(answer.status, 201, answer.text);
}

function mention(id, handle, text, author = {}) {
  return {
    source: "x", external_id: `${runId}-${id}`, text, created_at: new Date().toISOString(),
    author: { handle, display_name: author.name ?? handle, bio: author.bio ?? null },
    ...(author.url ? { url: author.url } : {}),
  };
}

async function contactId(handle) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await api("GET", `/api/v1/contacts?q=${encodeURIComponent(handle)}`);
    const found = (answer.json?.items ?? []).find((c) => c.identities.some((i) => i.value === handle));
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no contact for ${handle}`);
}

async function checkNothingExecuted(label) {
  const state = await page.evaluate(() => ({
    flag: window.__xss ?? null,
    alerts: window.__alerts ?? [],
    injected: Array.from(document.querySelectorAll(
      "main script, main img[src='x'], main svg, main iframe, main math, main [onerror], main [onload], main [onclick], a[href^='javascript:' i]"
    )).map((element) => element.outerHTML.slice(0, 80)),
  }));
  assert.equal(state.flag, null, `a script ran on ${label}`);
  assert.deepEqual(state.alerts, [], `alert() was called on ${label}`);
  assert.deepEqual(state.injected, [], `elements injected on ${label}`);
  assert.deepEqual(dialogs, [], `a dialog opened on ${label}`);
}

// --- set-up --------------------------------------------------------------------------

before(async () => {
  assert.ok(base && token && email && password, "run through run.sh (it starts the demo)");
  profileDir = mkdtempSync(join(tmpdir(), "comptoir-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    ...chromiumOptions,
    locale: "en-GB",
    viewport: { width: 1280, height: 800 },
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
});

after(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

// --- journeys (in order: they share the signed-in browser) ---------------------------

test("sign in with the demo's printed credentials", async () => {
  await visit("/app");
  assert.match(page.url(), /\/login\?next=/, "a visitor is sent to the sign-in page");
  await checkAccessibility("the sign-in page");
  await screenshot("login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill("wrong password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").waitFor();
  assert.match(await page.getByRole("alert").textContent(), /wrong e-mail or password/);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === "/app");
  assert.equal(await page.locator("h1").textContent(), "Overview");
  await checkAccessibility("the overview");
  await screenshot("overview");
});

test("mentions arriving in the demo stream appear on the live page without reload", async () => {
  await visit("/app/live");
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.waitForFunction(() => document.getElementById("live-state").textContent.startsWith("Connected"));
  const before = await page.locator("#live-mentions > li").evaluateAll((items) => items.map((item) => item.dataset.mentionId));
  // The demo's own stream keeps publishing: a mention not on the page at load appears.
  await page.waitForFunction((known) => Array.from(document.querySelectorAll("#live-mentions > li"))
    .some((item) => !known.includes(item.dataset.mentionId)), before, { timeout: 30_000 });
  const text = `Vol AZ${runId} annulé, personne ne répond`;
  await ingest([mention("live", `live_${runId}`, text)]);
  await page.locator("#live-mentions > li", { hasText: text }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
  // The list keeps growing at the top: compare by mention, not by position.
  const focusedId = () => page.evaluate(() => document.activeElement.closest(".item")?.dataset.mentionId ?? null);
  const nextId = () => page.evaluate(() => document.activeElement.closest(".item")?.nextElementSibling?.dataset.mentionId ?? null);
  await page.keyboard.press("j");
  const first = await focusedId();
  assert.ok(first, "j focuses a mention");
  const expectedNext = await nextId();
  await page.keyboard.press("j");
  assert.equal(await focusedId(), expectedNext, "j moves to the next mention");
  await page.keyboard.press("k");
  assert.equal(await focusedId(), first, "k moves back");
  await checkAccessibility("the live page");
  await screenshot("live");
  await page.keyboard.press("?");
  await page.locator("dialog#help[open]").waitFor();
  await checkAccessibility("the help dialog");
  await screenshot("keyboard-help");
  await page.keyboard.press("Escape");
});

test("a complaint appears in the open inbox; reply within limits, escalate to a callback, resolve", async () => {
  await visit("/app/inbox");
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.waitForFunction(() => document.getElementById("live-state").textContent.startsWith("Connected"));
  await checkAccessibility("the inbox");
  const handle = `case_${runId}`;
  await ingest([mention("case", handle, `@AlizeAir my bag is lost again (${runId}), worst airline ever, I am furious and nobody answers`)]);
  const contact = await contactId(handle);
  const row = page.locator("tbody[data-list] tr.item", { hasText: `lost again (${runId})` });
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the case arrived without a reload");
  const caseId = await row.getAttribute("data-case-id");
  assert.match(await row.locator(".sla").textContent(), /on time|at risk|breached/, "the row shows its SLA clock");
  await screenshot("inbox");
  // j moves down the list to the new case, Enter opens it.
  for (let step = 0; step < 60; step++) {
    await page.keyboard.press("j");
    if (await page.evaluate(() => document.activeElement.dataset.caseId ?? null) === caseId) break;
  }
  await page.keyboard.press("Enter");
  await page.waitForURL(new RegExp(`/app/cases/${caseId}$`));
  assert.match(await page.locator(".conversation").textContent(), new RegExp(runId), "the customer's message");
  assert.equal(await page.locator(".conversation .sentiment").first().getAttribute("data-sentiment"), "negative");
  assert.ok(await page.locator(`a[href="/app/contacts/${contact}"]`).count() > 0, "the contact panel links the contact");
  await checkAccessibility("a case");

  await page.keyboard.press("r");
  assert.equal(await page.evaluate(() => document.activeElement.id), "reply", "r focuses the reply box");
  await page.keyboard.type("Nous sommes vraiment désolés. ".repeat(10));
  assert.ok(Number(await page.locator("#reply-count").textContent()) > 280, "the counter counts");
  assert.equal(await page.locator("#reply-count.over").count(), 1, "and shows the limit is passed");
  await page.locator("#send-reply").click();
  await page.locator(".composer .form-error").waitFor();
  assert.match(await page.locator(".composer .form-error").textContent(), /too long for X/, "the server's reason is shown");
  const answer = `Nous sommes désolés, nous cherchons votre bagage (${runId}).`;
  await page.locator("#reply").fill(answer);
  await page.locator("#send-reply").click();
  const reply = page.locator(".conversation li[data-kind='reply']", { hasText: answer });
  await reply.waitFor();
  assert.equal(await reply.getAttribute("data-visibility"), "public", "the composer's default is a public reply");
  assert.match(await reply.textContent(), /\^DA/, "signed as the signature preview says");
  await screenshot("case");

  await page.getByText("Escalate to a phone callback").first().click();
  await page.getByLabel("Phone number").fill("01 23 45 67 89");
  await page.getByLabel("Preferred time slot").fill("demain 10h");
  await page.locator("#request-callback").click();
  await page.locator(".callback", { hasText: "+33123456789" }).waitFor();

  await page.keyboard.press("e");
  await page.waitForFunction(() => document.getElementById("case-status")?.dataset.status === "resolved");
  const stored = await api("GET", `/api/v1/cases/${caseId}`);
  assert.equal(stored.json.status, "resolved", stored.text);
  assert.equal(stored.json.callbacks.length, 1);
});

test("merge two contacts with a preview, then undo", async () => {
  const [first, second] = [`merge_a_${runId}`, `merge_b_${runId}`];
  await ingest([mention("ma", first, "Bagage perdu à Orly"), mention("mb", second, "Lost bag, still no news")]);
  const [firstId, secondId] = [await contactId(first), await contactId(second)];
  await visit(`/app/contacts?q=${first}`);
  await checkAccessibility("the contact search");
  await page.getByRole("link", { name: first }).click();
  await page.waitForURL(new RegExp(`/app/contacts/${firstId}$`));
  await checkAccessibility("a contact page");
  await screenshot("contact");
  await page.getByLabel("Contact number to merge into this one").fill(String(secondId));
  await page.getByRole("button", { name: "Preview the merge" }).click();
  await page.waitForURL(/\/merge\?other=/);
  assert.match(await page.locator("main").textContent(), new RegExp(second));
  await checkAccessibility("the merge preview");
  await screenshot("merge-preview");
  await page.locator("#confirm-merge").click();
  await page.waitForURL(/\?merged=\d+/);
  await page.locator(".timeline", { hasText: "Lost bag, still no news" }).waitFor();
  await checkAccessibility("a contact page just merged");
  await screenshot("contact-merged");
  assert.ok((await api("GET", `/api/v1/contacts/${secondId}`)).json.merged_into === firstId, "merged in the store");
  await page.locator("#undo-merge").click();
  await page.waitForURL(new RegExp(`/app/contacts/${firstId}$`));
  assert.equal(await page.locator(".timeline", { hasText: "Lost bag, still no news" }).count(), 0, "the absorbed mention left again");
  assert.equal((await api("GET", `/api/v1/contacts/${secondId}`)).json.merged_into, undefined, "undone in the store");
});

test("erasure asks for a confirmation, then erases", async () => {
  const handle = `erase_${runId}`;
  await ingest([mention("erase", handle, "Please forget me")]);
  const id = await contactId(handle);
  await visit(`/app/contacts/${id}`);
  await page.getByText("Erase this contact (GDPR)…").click();
  await page.getByRole("button", { name: "Erase for good" }).click();
  assert.equal((await api("GET", `/api/v1/contacts/${id}`)).status, 200, "nothing happens without the confirmation");
  await page.getByLabel("I understand that this erasure cannot be undone.").check();
  await page.getByRole("button", { name: "Erase for good" }).click();
  await page.waitForURL(/\/app\/contacts$/);
  assert.equal((await api("GET", `/api/v1/contacts/${id}`)).status, 404);
});

test("switch the language to French and back", async () => {
  await visit("/app");
  await page.getByRole("button", { name: "Français" }).click();
  await page.waitForFunction(() => document.documentElement.lang === "fr");
  assert.equal(await page.locator("h1").textContent(), "Vue d'ensemble");
  await checkAccessibility("the overview in French");
  await visit("/app/contacts");
  assert.equal(await page.locator("h1").textContent(), "Contacts");
  assert.ok(await page.getByLabel("Chercher un contact par nom, pseudo, e-mail ou téléphone").isVisible());
  await screenshot("contacts-fr");
  await page.getByRole("button", { name: "English" }).click();
  await page.waitForFunction(() => document.documentElement.lang === "en");
});

test("administration pages", async () => {
  for (const [path, name] of [["/app/admin/users", "admin-users"], ["/app/admin/teams", "admin-teams"], ["/app/admin/tokens", "admin-tokens"],
    ["/app/admin/audit", "admin-audit"], ["/app/admin/sources", "admin-sources"], ["/app/inbox", null], ["/app/insights", null]]) {
    await visit(path);
    await checkAccessibility(path);
    if (name) await screenshot(name);
  }
  await visit("/app/admin/teams");
  await page.getByLabel("Team name").fill(`Social care ${runId}`);
  await page.getByRole("checkbox", { name: "Demo admin" }).check();
  await page.getByRole("button", { name: "Create a team" }).click();
  await page.locator("main h2", { hasText: `Social care ${runId}` }).waitFor();
  await visit("/app/admin/tokens");
  await page.getByLabel("Label").fill("browser test");
  await page.getByRole("button", { name: "Create the token" }).click();
  await page.locator("#token-secret").filter({ hasText: /^cpt_/ }).waitFor();
});

test("the inbox filters and sorts; a bulk action resolves the selected cases, each with its result", async () => {
  const texts = [
    `@AlizeAir my refund is still missing (${runId}-b1), this is a scandal and nobody answers, furious`,
    `@AlizeAir flight cancelled again (${runId}-b2), worst airline ever, I am furious and want my money back`,
  ];
  const handles = [`bulka_${runId}`, `bulkb_${runId}`];
  await ingest(texts.map((text, index) => mention(`bulk${index}`, handles[index], text)));
  const contacts = [await contactId(handles[0]), await contactId(handles[1])];
  let ids = [];
  for (let attempt = 0; attempt < 50 && ids.length < 2; attempt++) {
    const listed = await api("GET", "/api/v1/cases?sort=newest&limit=100");
    ids = listed.json.items.filter((c) => contacts.includes(c.contact_id)).map((c) => String(c.id));
    if (ids.length < 2) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(ids.length, 2, "both complaints opened a case");

  await visit("/app/inbox");
  await page.selectOption("#filter-intent", "complaint");
  await page.selectOption("#filter-sort", "newest");
  await page.locator("#apply-filters").click();
  await page.waitForURL(/intent=complaint/);
  assert.match(page.url(), /sort=newest/, "the sort is kept in the address");
  assert.equal(await page.locator("#filter-intent").inputValue(), "complaint", "the form shows the filter in use");
  await checkAccessibility("the filtered inbox");
  await page.locator(`tr[data-case-id="${ids[0]}"] input[name="case"]`).check();
  // x on the focused row selects it too.
  await page.locator(`tr[data-case-id="${ids[1]}"]`).focus();
  await page.keyboard.press("x");
  assert.equal(await page.locator(`tr[data-case-id="${ids[1]}"] input[name="case"]`).isChecked(), true, "x selects the current row");
  assert.match(await page.locator("#bulk-count").textContent(), /^2 /, "the bar counts the selection");
  await page.selectOption("#bulk-action", "resolve");
  await page.locator("#bulk-apply").click();
  await page.locator('#bulk-results li[data-ok="true"]').nth(1).waitFor();
  for (const id of ids) {
    await page.locator(`tr[data-case-id="${id}"] td.status`, { hasText: "Resolved" }).waitFor();
    assert.equal((await api("GET", `/api/v1/cases/${id}`)).json.status, "resolved");
  }
  await screenshot("inbox-bulk");
  // Resolving them again is refused case by case, with the reason.
  for (const id of ids) await page.locator(`tr[data-case-id="${id}"] input[name="case"]`).check();
  await page.selectOption("#bulk-action", "status");
  await page.selectOption("#bulk-status", "new");
  await page.locator("#bulk-apply").click();
  await page.locator('#bulk-results li[data-ok="false"]').nth(1).waitFor();
});

test("others' changes reach an open inbox row and an open case page without reload", async () => {
  const handle = `live_${runId}`;
  await ingest([mention("livecase", handle, `@AlizeAir my suitcase never arrived (${runId}-l), terrible service, I am furious`)]);
  const contact = await contactId(handle);
  let caseId = null;
  for (let attempt = 0; attempt < 50 && !caseId; attempt++) {
    const listed = await api("GET", "/api/v1/cases?sort=newest&limit=100");
    caseId = listed.json.items.find((c) => c.contact_id === contact)?.id ?? null;
    if (!caseId) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(caseId, "the complaint opened a case");
  await visit("/app/inbox?sort=newest");
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.waitForFunction(() => document.getElementById("live-state").textContent.startsWith("Connected"));
  // Another client (the API token) puts the case on hold: the row follows.
  const held = await api("PATCH", `/api/v1/cases/${caseId}`, JSON.stringify({ status: "on_hold" }));
  assert.equal(held.status, 200, held.text);
  await page.locator(`tr[data-case-id="${caseId}"].changed td.status`).waitFor({ timeout: 10_000 });
  assert.match(await page.locator(`tr[data-case-id="${caseId}"] td.status`).textContent(), /hold/i);
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the row changed without a reload");

  await visit(`/app/cases/${caseId}`);
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.waitForTimeout(500);
  const reopened = await api("PATCH", `/api/v1/cases/${caseId}`, JSON.stringify({ status: "open" }));
  assert.equal(reopened.status, 200, reopened.text);
  await page.waitForFunction(() => document.getElementById("case-status")?.dataset.status === "open", null, { timeout: 10_000 });
  const note = `checked with the airport (${runId})`;
  assert.equal((await api("POST", `/api/v1/cases/${caseId}/notes`, JSON.stringify({ text: note }))).status, 201);
  await page.locator(".conversation li[data-kind='note']", { hasText: note }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, "the case page changed without a reload");
});

test("care administration: SLA policies with their calendar, routing rules, canned responses, agents", async () => {
  for (const [path, name] of [["/app/admin/sla", "admin-sla"], ["/app/admin/routing", "admin-routing"],
    ["/app/admin/canned", "admin-canned"], ["/app/admin/agents", "admin-agents"]]) {
    await visit(path);
    await checkAccessibility(path);
    await screenshot(name);
  }
  await visit("/app/admin/sla");
  assert.match(await page.locator("main").textContent(), /Europe\/Paris/, "the business-hours calendar is shown");
  await visit("/app/admin/canned");
  await page.getByLabel("Title").fill(`Delay ${runId}`);
  await page.getByLabel("Text").fill("Bonjour {customer_name}, votre dossier {case_number} est suivi.");
  await page.getByRole("button", { name: "Add a canned response" }).click();
  await page.locator("tbody tr.item", { hasText: `Delay ${runId}` }).waitFor();
});

test("an XSS corpus in mention text, author names and bios executes nothing on any page", async () => {
  const payloads = [
    "<script>window.__xss='script'</script>",
    "<img src=x onerror=\"window.__xss='img'\">",
    "<svg onload=\"window.__xss='svg'\"><circle r=1 /></svg>",
    "<a href=\"javascript:window.__xss='link'\">click</a>",
    "\"><iframe src=\"javascript:window.__xss='iframe'\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    "\u202Egnp.exe\u202C <b onclick=\"window.__xss='rtl'\">rtl</b>",
    "javascript:window.__xss='plain'",
  ];
  const handles = [];
  const mentions = payloads.map((payload, index) => {
    const handle = `xss_${index}_${runId}`;
    handles.push(handle);
    return mention(`xss${index}`, handle, `Alerte ${payload} fin`, { name: payload, bio: `bio ${payload} @xss_other_${runId}`, url: "javascript:window.__xss='url'" });
  });
  await visit("/app/live");
  await page.waitForFunction(() => document.getElementById("live-state").textContent.startsWith("Connected"));
  const caseHandle = `xss_case_${runId}`;
  mentions.push(mention("xsscase", caseHandle, `${payloads[0]} ${payloads[1]} my bag is lost again, worst airline ever, I am furious`,
    { name: payloads[2], bio: payloads[4] }));
  await ingest(mentions);
  await page.locator("#live-mentions > li", { hasText: "Alerte" }).first().waitFor({ timeout: 10_000 });
  const caseContact = await contactId(caseHandle);
  const hostileCase = (await api("GET", "/api/v1/cases?sort=newest&limit=200")).json.items.find((c) => c.contact_id === caseContact);
  assert.ok(hostileCase, "the hostile complaint opened a case");
  await checkNothingExecuted("the live page receiving the corpus");
  const ids = [];
  for (const handle of handles) ids.push(await contactId(handle));
  const pages = ["/app", "/app/live", `/app/contacts?q=${encodeURIComponent("<script>")}`, "/app/contacts", "/app/admin/audit", "/app/admin/sources",
    ...ids.map((id) => `/app/contacts/${id}`), `/app/contacts/${ids[0]}/merge?other=${ids[1]}`, "/", "/app/inbox", `/app/cases/${hostileCase.id}`];
  for (const path of pages) {
    await visit(path);
    await checkNothingExecuted(path);
  }
  await visit(`/app/contacts/${ids[6]}`);
  assert.match(await page.locator("main").textContent(), /rtl/, "the payload is shown as text");
  await checkAccessibility("a contact page with hostile text");
});

test("sign out", async () => {
  await visit("/app");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
  await visit("/app/contacts");
  assert.match(page.url(), /\/login\?next=/, "the session is gone");
});
