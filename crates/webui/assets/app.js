// Comptoir's only script: forms that call the JSON API (with the session's CSRF token),
// the language switch, keyboard shortcuts, and the live stream (server-sent events).
// Text from the server is only ever set with textContent. The one exception is the
// listening dashboard's refresh, which parses our own server-rendered chart fragment
// (maud-escaped, like the page itself) with DOMParser: no script runs in it.
"use strict";

(function () {
  const csrfMeta = document.querySelector('meta[name="csrf-token"]');
  const csrfToken = csrfMeta ? csrfMeta.content : "";

  function formBody(form) {
    const body = {};
    for (const field of form.elements) {
      if (!field.name || field.hasAttribute("data-skip") || field.disabled) continue;
      const asNumber = field.dataset.type === "number";
      if (field.hasAttribute("data-array")) {
        if (!(field.name in body)) body[field.name] = [];
        if (field.checked) body[field.name].push(asNumber ? Number(field.value) : field.value);
        continue;
      }
      if (field.type === "checkbox") { body[field.name] = field.checked; continue; }
      if (field.type === "radio") { if (field.checked) body[field.name] = field.value; continue; }
      if (field.value === "") continue;
      body[field.name] = asNumber ? Number(field.value) : field.value;
    }
    return body;
  }

  function showError(form, message) {
    let box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      form.appendChild(box);
    }
    box.textContent = message;
  }

  async function callApi(method, url, body) {
    const headers = { "X-CSRF-Token": csrfToken, "Accept": "application/json" };
    const init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
    return { ok: response.ok, status: response.status, json: json };
  }

  async function submitApiForm(event) {
    const form = event.target;
    if (!form.classList.contains("api-form")) return;
    event.preventDefault();
    const method = form.dataset.method || "POST";
    const body = formBody(form);
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      const answer = await callApi(method, form.dataset.action, Object.keys(body).length ? body : undefined);
      if (!answer.ok) {
        showError(form, (answer.json && answer.json.detail) || ("HTTP " + answer.status));
        return;
      }
      if (form.dataset.show && answer.json) {
        const output = form.querySelector("output");
        output.textContent = String(answer.json[form.dataset.show] || "");
        output.closest("[hidden]") && output.closest("[hidden]").removeAttribute("hidden");
        return;
      }
      let target = form.dataset.redirect || window.location.pathname + window.location.search;
      if (answer.json && answer.json.id !== undefined) target = target.replace("{id}", encodeURIComponent(answer.json.id));
      if (/^\/[^/\\]/.test(target) || target === "/") window.location.assign(target);
    } catch (error) {
      showError(form, String(error));
    } finally {
      if (button) button.disabled = false;
    }
  }

  async function switchLanguage(button) {
    const language = button.dataset.language;
    document.cookie = "comptoir_lang=" + language + "; path=/; max-age=31536000; samesite=lax";
    if (button.dataset.signedIn === "true") {
      await callApi("PUT", "/api/v1/me/language", { language: language });
    }
    window.location.reload();
  }

  // --- Keyboard: j/k move in the page's list, Enter opens, / searches, ? for help ---
  function listItems() {
    return Array.from(document.querySelectorAll("main [data-list] .item"));
  }

  function focusItem(item) {
    for (const other of document.querySelectorAll(".item.current")) other.classList.remove("current");
    item.classList.add("current");
    if (!item.hasAttribute("tabindex")) item.setAttribute("tabindex", "-1");
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function moveInList(step) {
    const items = listItems();
    if (!items.length) return;
    const current = document.activeElement && document.activeElement.closest(".item");
    let index = items.indexOf(current);
    index = index < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, index + step));
    focusItem(items[index]);
  }

  function isTyping(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    const help = document.getElementById("help");
    if (event.key === "?") {
      event.preventDefault();
      if (help.open) help.close(); else help.showModal();
      return;
    }
    if (help && help.open) return;
    if (event.key === "j") { event.preventDefault(); moveInList(1); }
    else if (event.key === "k") { event.preventDefault(); moveInList(-1); }
    else if (event.key === "/") {
      const box = document.querySelector("[data-search-box]");
      if (box) { event.preventDefault(); box.focus(); }
    } else if (event.key === "Enter" && event.target.classList && event.target.classList.contains("item")) {
      const link = event.target.querySelector("a[href]");
      if (link) link.click();
    } else {
      // r (reply) and e (resolve) act on the case view when it exists.
      const action = document.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]');
      if (action && action.dataset.focus) { event.preventDefault(); document.getElementById(action.dataset.focus).focus(); }
      else if (action) { event.preventDefault(); action.click(); }
    }
  }

  // --- Live stream ---
  function liveRow(list, mention) {
    const item = document.createElement("li");
    item.className = "item";
    item.tabIndex = -1;
    item.dataset.mentionId = String(mention.id);
    const meta = document.createElement("div");
    meta.className = "meta";
    const source = document.createElement("span");
    source.className = "source";
    source.textContent = mention.source;
    const author = document.createElement("span");
    author.className = "author";
    if (mention.author_name) {
      const name = document.createElement("bdi");
      name.textContent = mention.author_name;
      author.append(name, " ");
    }
    const handle = document.createElement("span");
    handle.className = "handle";
    const handleText = document.createElement("bdi");
    handleText.textContent = mention.author_handle;
    handle.append("@", handleText);
    author.append(handle);
    const time = document.createElement("time");
    time.dateTime = mention.created_at;
    time.textContent = String(mention.created_at).slice(0, 16).replace("T", " ") + " UTC";
    meta.append(source, " ", author, " ", time);
    const label = mention.sentiment && list.dataset["label" + mention.sentiment.charAt(0).toUpperCase() + mention.sentiment.slice(1)];
    if (label) {
      const sentiment = document.createElement("span");
      sentiment.className = "sentiment";
      sentiment.dataset.sentiment = mention.sentiment;
      sentiment.textContent = label;
      meta.append(" ", sentiment);
    }
    const text = document.createElement("p");
    text.className = "text";
    text.dir = "auto";
    const textBdi = document.createElement("bdi");
    textBdi.textContent = mention.text;
    text.append(textBdi);
    item.append(meta, text);
    return item;
  }

  function startLive(list) {
    const state = document.getElementById("live-state");
    const events = new EventSource(list.dataset.events);
    events.addEventListener("open", function () { state.textContent = state.dataset.connected; });
    events.addEventListener("error", function () { state.textContent = state.dataset.disconnected; });
    events.addEventListener("mention", function (event) {
      const mention = JSON.parse(event.data);
      if (list.querySelector('[data-mention-id="' + CSS.escape(String(mention.id)) + '"]')) return;
      list.prepend(liveRow(list, mention));
      while (list.children.length > 200) list.lastElementChild.remove();
    });
  }


  // --- Inbox: new cases arrive by the case events stream ---
  function cell(content) {
    const td = document.createElement("td");
    if (content !== undefined) td.append(content);
    return td;
  }

  function textIn(tag, text, className) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = text;
    return element;
  }

  function inboxRow(labels, data) {
    const row = document.createElement("tr");
    row.className = "item arrived";
    row.tabIndex = -1;
    row.dataset.caseId = String(data.id);
    const link = document.createElement("a");
    link.href = "/app/cases/" + encodeURIComponent(String(data.id));
    const subject = textIn("bdi", data.subject || "");
    subject.dir = "auto";
    link.append("#" + data.id + " ", subject);
    const contact = cell();
    if (data.contact_id) {
      const contactLink = document.createElement("a");
      contactLink.href = "/app/contacts/" + encodeURIComponent(String(data.contact_id));
      contactLink.textContent = labels.contact + " " + data.contact_id;
      contact.append(contactLink);
    }
    const source = cell(String(data.source || ""));
    source.className = "source";
    const priority = textIn("span", labels["priority_" + data.priority] || String(data.priority), "priority");
    priority.dataset.priority = String(data.priority);
    const answered = Boolean(data.first_response_at);
    const state = String(answered ? data.resolution_state : data.first_response_state);
    const due = String(answered ? data.resolution_due_at : data.first_response_due_at);
    const sla = textIn("span", labels["sla_" + state] || state, "sla");
    sla.dataset.sla = state;
    const time = textIn("time", due.slice(0, 16).replace("T", " ") + " UTC");
    time.dateTime = due;
    const slaCell = cell(sla);
    slaCell.append(" ", time);
    row.append(cell(link), contact, source, cell(priority), cell(labels["status_" + data.status] || String(data.status)),
      cell(data.assignee_id ? (labels["user_" + data.assignee_id] || "#" + data.assignee_id) : labels.unassigned), slaCell);
    return row;
  }

  function belongsHere(list, data) {
    const queue = list.dataset.queue;
    if (list.dataset.status && list.dataset.status !== data.status) return false;
    if (queue === "all") return true;
    if (queue === "unassigned") return !data.assignee_id;
    return false;
  }

  function startInbox(list) {
    const state = document.getElementById("live-state");
    const labels = JSON.parse(list.dataset.labels || "{}");
    const firstPage = !new URLSearchParams(window.location.search).has("cursor");
    const events = new EventSource(list.dataset.caseEvents);
    events.addEventListener("open", function () { state.textContent = state.dataset.connected; });
    events.addEventListener("error", function () { state.textContent = state.dataset.disconnected; });
    events.addEventListener("case", async function (event) {
      const change = JSON.parse(event.data);
      if (change.kind !== "created" || !firstPage) return;
      if (list.querySelector('[data-case-id="' + CSS.escape(String(change.case_id)) + '"]')) return;
      const answer = await callApi("GET", "/api/v1/cases/" + encodeURIComponent(String(change.case_id)));
      if (!answer.ok || !answer.json || !belongsHere(list, answer.json)) return;
      const empty = document.getElementById("inbox-empty");
      if (empty) empty.remove();
      list.prepend(inboxRow(labels, answer.json));
      while (list.children.length > 200) list.lastElementChild.remove();
    });
  }

  // --- Case view: the composer's counter mirrors care's channel rules ---
  const URL_PATTERN = /https?:\/\/\S+/gi;
  const segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function graphemes(text) {
    return segmenter ? Array.from(segmenter.segment(text), function (part) { return part.segment; }) : Array.from(text);
  }

  function isEmoji(grapheme) {
    const code = grapheme.codePointAt(0);
    return (code >= 0x1F000 && code <= 0x1FAFF) || (code >= 0x2600 && code <= 0x27BF) || (code >= 0x2300 && code <= 0x23FF)
      || (code >= 0x2B00 && code <= 0x2BFF) || code === 0x3030 || code === 0x303D || code === 0x3297 || code === 0x3299;
  }

  function xWeight(grapheme) {
    if (isEmoji(grapheme)) return 2;
    let weight = 0;
    for (const character of grapheme) {
      const code = character.codePointAt(0);
      const light = code <= 0x10FF || (code >= 0x2000 && code <= 0x200D) || (code >= 0x2010 && code <= 0x201F) || (code >= 0x2032 && code <= 0x2037);
      weight += light ? 1 : 2;
    }
    return weight;
  }

  function channelLength(channel, text) {
    const withoutLinks = text.replace(URL_PATTERN, "");
    const links = (text.match(URL_PATTERN) || []).length;
    if (channel === "x") return graphemes(withoutLinks).reduce(function (sum, g) { return sum + xWeight(g); }, 0) + 23 * links;
    if (channel === "mastodon") return graphemes(withoutLinks.replace(/(@[^@\s]+)@[^\s]+\.[^\s]+/g, "$1")).length + 23 * links;
    if (channel === "bluesky") return graphemes(text).length;
    return Array.from(text).length;
  }

  function signed(channel, text, signature) {
    text = text.replace(/\s+$/, "");
    if (!signature || text.endsWith(signature)) return text;
    const separator = { x: " ", bluesky: " ", mastodon: " ", facebook: "\n", instagram: "\n", messenger: "\n" }[channel] || "\n\n";
    return text + separator + signature;
  }

  function startCounter(box) {
    const output = document.getElementById(box.dataset.counter);
    const limit = Number(output.dataset.limit || 0);
    function update() {
      const publicReply = !document.querySelector('input[name="visibility"][value="private"]:checked');
      const text = signed(box.dataset.channel, box.value.trim(), publicReply ? box.dataset.signature : "");
      const length = box.value.trim() ? channelLength(box.dataset.channel, text) : 0;
      output.textContent = String(length);
      output.classList.toggle("over", limit > 0 && length > limit);
    }
    box.addEventListener("input", update);
    document.addEventListener("change", update);
    update();
  }

  // --- Case view: who else is here (viewing, typing) ---
  function startPresence(box) {
    const labels = JSON.parse(box.dataset.labels || "{}");
    const reply = document.getElementById("reply");
    let lastTyped = 0;
    if (reply) reply.addEventListener("input", function () { lastTyped = Date.now(); });
    async function signal() {
      const state = Date.now() - lastTyped < 10000 ? "typing" : "viewing";
      const answer = await callApi("POST", box.dataset.presence, { state: state });
      if (!answer.ok || !answer.json) return;
      const others = answer.json.items.filter(function (present) { return String(present.user_id) !== box.dataset.me; });
      const text = others.map(function (present) {
        return (labels["user_" + present.user_id] || "#" + present.user_id) + " " + (labels["presence_" + present.state] || present.state);
      }).join(", ");
      box.textContent = text || labels.presence_alone;
    }
    signal();
    window.setInterval(signal, 10000);
  }

  // --- Listening: the query editor's live preview, the dashboard's refresh ---
  function previewItem(mention) {
    const item = document.createElement("li");
    item.className = "item";
    const meta = document.createElement("div");
    meta.className = "meta";
    const source = document.createElement("span");
    source.className = "source";
    source.textContent = mention.source;
    const handle = document.createElement("bdi");
    handle.textContent = "@" + ((mention.author && mention.author.handle) || "");
    const time = document.createElement("time");
    time.dateTime = mention.created_at;
    time.textContent = String(mention.created_at).slice(0, 16).replace("T", " ") + " UTC";
    meta.append(source, " ", handle, " ", time);
    const text = document.createElement("p");
    text.className = "text";
    text.dir = "auto";
    const body = document.createElement("bdi");
    body.textContent = mention.text;
    text.append(body);
    item.append(meta, text);
    return item;
  }

  function startPreview(box) {
    const output = document.getElementById(box.dataset.queryPreview);
    const problem = document.getElementById("query-problem");
    const count = output.querySelector(".preview-count");
    const list = output.querySelector(".preview-list");
    const form = box.closest("form");
    let timer = null;
    let sequence = 0;
    async function update() {
      const mine = ++sequence;
      const languages = Array.from(form.querySelectorAll('input[name="languages"]:checked'), function (input) { return input.value; });
      const url = "/api/v1/topics/preview?q=" + encodeURIComponent(box.value) + "&languages=" + encodeURIComponent(languages.join(",")) +
        "&lang=" + encodeURIComponent(document.documentElement.lang);
      let answer = null;
      try { answer = await callApi("GET", url); } catch (_) { answer = null; }
      if (mine !== sequence) return; // a newer keystroke's answer wins
      list.replaceChildren();
      if (!answer || !answer.ok || !answer.json) { count.textContent = output.dataset.failed; return; }
      const json = answer.json;
      if (!json.valid) {
        problem.textContent = json.explanation || (json.problem && json.problem.message) || "";
        problem.hidden = false;
        box.setAttribute("aria-invalid", "true");
        count.textContent = "";
        return;
      }
      problem.hidden = true;
      problem.textContent = "";
      box.removeAttribute("aria-invalid");
      const total = Number(json.total);
      count.textContent = total === 0 ? output.dataset.empty : total === 1 ? output.dataset.countOne
        : output.dataset.countMany.replace("{n}", total.toLocaleString(document.documentElement.lang));
      for (const mention of json.mentions) list.appendChild(previewItem(mention));
    }
    function schedule() { window.clearTimeout(timer); timer = window.setTimeout(update, 300); }
    box.addEventListener("input", schedule);
    form.addEventListener("change", function (event) { if (event.target.name === "languages") schedule(); });
    if (box.value.trim()) update();
  }

  function startRefresh(region) {
    const seconds = Math.max(5, Number(region.dataset.refreshSeconds) || 15);
    async function refresh() {
      if (document.hidden) return;
      let response;
      try { response = await fetch(region.dataset.refresh, { credentials: "same-origin", headers: { Accept: "text/html" } }); } catch (_) { return; }
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      // Each chart card is replaced, except the one holding the keyboard focus (it
      // catches up on the next refresh); an open data table stays open.
      for (const card of fresh.querySelectorAll("[data-chart]")) {
        const current = region.querySelector('[data-chart="' + CSS.escape(card.dataset.chart) + '"]');
        if (!current || current.contains(document.activeElement)) continue;
        const wasOpen = current.querySelector("details[open]");
        const details = card.querySelector("details");
        if (wasOpen && details) details.open = true;
        current.replaceWith(document.importNode(card, true));
      }
      const summary = fresh.querySelector(".dash-summary");
      const oldSummary = region.querySelector(".dash-summary");
      if (summary && oldSummary && !oldSummary.contains(document.activeElement)) oldSummary.replaceWith(document.importNode(summary, true));
      region.dataset.refreshedAt = new Date().toISOString();
    }
    window.setInterval(refresh, seconds * 1000);
  }

  document.addEventListener("submit", submitApiForm);
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-language]");
    if (button) switchLanguage(button);
  });
  const live = document.querySelector("[data-events]");
  if (live) startLive(live);
  const inbox = document.querySelector("[data-case-events]");
  if (inbox) startInbox(inbox);
  for (const box of document.querySelectorAll("textarea[data-counter]")) startCounter(box);
  const presence = document.getElementById("presence");
  if (presence) startPresence(presence);
  for (const box of document.querySelectorAll("textarea[data-query-preview]")) startPreview(box);
  const charts = document.querySelector("[data-refresh]");
  if (charts) startRefresh(charts);
})();
