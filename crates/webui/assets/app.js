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
        const [holder, key] = slot(body, field.name);
        if (!Array.isArray(holder[key])) holder[key] = [];
        if (field.checked) holder[key].push(asNumber ? Number(field.value) : field.value);
        continue;
      }
      // A dotted name ("channel.url", "when.vip") nests, whatever the field's type.
      const [target, key] = slot(body, field.name);
      if (field.type === "checkbox") { target[key] = field.checked; continue; }
      if (field.type === "radio") { if (field.checked) target[key] = field.value; continue; }
      if (field.value === "") continue;
      if (field.dataset.type === "json") { target[key] = JSON.parse(field.value); continue; }
      // A datetime-local field is the browser's local time: the API wants an instant.
      if (field.dataset.type === "datetime") { target[key] = new Date(field.value).toISOString(); continue; }
      if (field.dataset.type === "list") {
        target[key] = field.value.split(",").map(function (item) { return item.trim(); }).filter(Boolean);
        continue;
      }
      let value = asNumber ? Number(field.value) : field.value;
      // data-split="," turns "a, b" into ["a", "b"].
      if (field.dataset.split) value = value.split(field.dataset.split).map(function (part) { return part.trim(); }).filter(Boolean);
      target[key] = value;
    }
    return body;
  }

  // The object a dotted name ("calendar.opening_hours.monday") lands in, and its last key.
  function slot(body, name) {
    const path = name.split(".");
    let target = body;
    while (path.length > 1) {
      const key = path.shift();
      if (typeof target[key] !== "object" || target[key] === null || Array.isArray(target[key])) target[key] = {};
      target = target[key];
    }
    return [target, path[0]];
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
    let body;
    try { body = formBody(form); } catch (error) { showError(form, String(error)); return; }
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
      // "{id}", "{preview_id}"…: filled from the answer (a preview's page, a new record's).
      if (answer.json) {
        target = target.replace(/\{([a-z_]+)\}/g, function (whole, key) {
          const value = answer.json[key];
          return typeof value === "number" || typeof value === "string" ? encodeURIComponent(String(value)) : whole;
        });
      }
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
    else if (event.key === "x" && event.target.classList && event.target.classList.contains("item")) {
      // x checks or unchecks the current inbox row for a bulk action.
      const box = event.target.querySelector('input[name="case"]');
      if (box) { event.preventDefault(); box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); }
    }
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

  function inboxRow(labels, data, selectable) {
    const row = document.createElement("tr");
    row.className = "item arrived";
    row.tabIndex = -1;
    row.dataset.caseId = String(data.id);
    const link = document.createElement("a");
    link.href = "/app/cases/" + encodeURIComponent(String(data.id));
    const subject = textIn("bdi", data.subject || "");
    subject.dir = "auto";
    link.append("#" + data.id + " ", subject);
    const subjectCell = cell(link);
    const presence = textIn("span", "", "row-presence");
    subjectCell.append(" ", presence);
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
    const status = cell(labels["status_" + data.status] || String(data.status));
    status.className = "status";
    const assignee = cell(data.assignee_id ? (labels["user_" + data.assignee_id] || "#" + data.assignee_id) : labels.unassigned);
    assignee.className = "assignee";
    if (selectable) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = "case";
      box.value = String(data.id);
      box.setAttribute("aria-label", labels.inbox_select_case + " #" + data.id);
      row.append(cell(box));
    }
    row.append(subjectCell, contact, source, cell(priority), status, assignee, slaCell);
    return row;
  }

  // What the page can tell from a case alone; other filters are the server's to apply
  // (a filtered inbox takes no live arrivals, and an updated row stays until reload).
  function belongsHere(list, data) {
    const queue = list.dataset.queue;
    if (list.dataset.status && list.dataset.status !== data.status) return false;
    if (queue === "all") return true;
    if (queue === "unassigned") return !data.assignee_id;
    if (queue === "mine") return String(data.assignee_id) === list.dataset.me;
    return false;
  }

  function rowOf(list, caseId) {
    return list.querySelector('tr[data-case-id="' + CSS.escape(String(caseId)) + '"]');
  }

  async function refreshRow(list, labels, caseId) {
    const row = rowOf(list, caseId);
    if (!row) return;
    const answer = await callApi("GET", "/api/v1/cases/" + encodeURIComponent(String(caseId)));
    if (!answer.ok || !answer.json) return;
    const selectable = list.dataset.selectable === "true";
    const fresh = inboxRow(labels, answer.json, selectable);
    fresh.classList.remove("arrived");
    fresh.classList.add("changed");
    const wasChecked = row.querySelector('input[name="case"]:checked');
    if (wasChecked) fresh.querySelector('input[name="case"]').checked = true;
    const presence = row.querySelector(".row-presence");
    if (presence) fresh.querySelector(".row-presence").replaceWith(presence);
    if (!belongsHere(list, answer.json) && list.dataset.filtered !== "true") fresh.classList.add("left-queue");
    row.replaceWith(fresh);
  }

  // Who is viewing or typing a case, on its row, for 30 seconds after each signal.
  const rowPresence = new Map();
  function showPresence(list, labels, change) {
    if (String(change.user_id) === list.dataset.me) return;
    const row = rowOf(list, change.case_id);
    if (!row) return;
    const key = String(change.case_id);
    const people = rowPresence.get(key) || new Map();
    people.set(String(change.user_id), { state: String(change.state), until: Date.now() + 30000 });
    rowPresence.set(key, people);
    renderPresence(list, labels, key);
  }

  function renderPresence(list, labels, key) {
    const row = rowOf(list, key);
    const people = rowPresence.get(key);
    if (!row || !people) return;
    const now = Date.now();
    const parts = [];
    for (const [user, present] of people) {
      if (present.until < now) { people.delete(user); continue; }
      parts.push((labels["user_" + user] || "#" + user) + " " + (labels["presence_" + present.state] || present.state));
    }
    row.querySelector(".row-presence").textContent = parts.join(", ");
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
      if (change.kind === "presence") { showPresence(list, labels, change); return; }
      if (change.kind !== "created") { await refreshRow(list, labels, change.case_id); return; }
      if (!firstPage || list.dataset.filtered === "true") return;
      if (rowOf(list, change.case_id)) return;
      const answer = await callApi("GET", "/api/v1/cases/" + encodeURIComponent(String(change.case_id)));
      if (!answer.ok || !answer.json || !belongsHere(list, answer.json)) return;
      const empty = document.getElementById("inbox-empty");
      if (empty) empty.remove();
      list.prepend(inboxRow(labels, answer.json, list.dataset.selectable === "true"));
      while (list.children.length > 200) list.lastElementChild.remove();
    });
    window.setInterval(function () { for (const key of rowPresence.keys()) renderPresence(list, labels, key); }, 5000);
    startBulk(list, labels);
  }

  // --- Inbox: select rows, apply one action to them all ---
  function selectedIds(list) {
    return Array.from(list.querySelectorAll('input[name="case"]:checked'), function (box) { return Number(box.value); });
  }

  function startBulk(list, labels) {
    const form = document.getElementById("bulk");
    if (!form) return;
    const all = document.getElementById("select-all");
    const count = document.getElementById("bulk-count");
    const results = document.getElementById("bulk-results");
    const action = document.getElementById("bulk-action");
    function showCount() {
      const selected = selectedIds(list).length;
      count.textContent = count.dataset.template.replace("{n}", String(selected));
    }
    function showFields() {
      const wanted = { assign: "bulk-assignee", tag: "bulk-tag", untag: "bulk-tag", status: "bulk-status" }[action.value];
      for (const id of ["bulk-assignee", "bulk-tag", "bulk-status"]) {
        const field = document.getElementById(id);
        const hidden = id !== wanted;
        field.hidden = hidden;
        field.disabled = hidden;
        const label = form.querySelector('label[for="' + id + '"]');
        if (label) label.hidden = hidden;
      }
    }
    all.addEventListener("change", function () {
      for (const box of list.querySelectorAll('input[name="case"]')) box.checked = all.checked;
      showCount();
    });
    list.addEventListener("change", showCount);
    action.addEventListener("change", showFields);
    showFields();
    showCount();
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      event.stopPropagation();
      const ids = selectedIds(list);
      results.textContent = "";
      if (!ids.length) { results.textContent = labels.bulk_none_selected || "0"; return; }
      const body = formBody(form);
      body.ids = ids;
      if (body.action === "assign" && !("assignee_id" in body)) body.assignee_id = null;
      const button = document.getElementById("bulk-apply");
      button.disabled = true;
      try {
        const answer = await callApi("POST", form.dataset.action, body);
        if (!answer.ok) { showError(form, (answer.json && answer.json.detail) || ("HTTP " + answer.status)); return; }
        const lines = document.createElement("ul");
        for (const item of answer.json.items) {
          const line = document.createElement("li");
          line.dataset.caseId = String(item.id);
          line.dataset.ok = String(item.ok);
          line.textContent = "#" + item.id + " " + (item.ok ? labels.bulk_done : labels.bulk_refused + " (" + item.detail + ")");
          lines.append(line);
          if (item.ok) refreshRow(list, labels, item.id);
        }
        results.append(lines);
      } catch (error) {
        showError(form, String(error));
      } finally {
        button.disabled = false;
      }
    });
  }

  // --- Case view: others' changes and new messages arrive without a reload ---
  // The page is fetched again and its server-rendered parts (escaped by the templates)
  // replace the facts, the actions and the conversation; the composer is left as it is.
  function startCaseLive(root) {
    const caseId = root.dataset.caseLive;
    const events = new EventSource("/app/case-events");
    let pending = null;
    async function reload() {
      pending = null;
      const response = await fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const selector of [".case-facts", ".actions", "ol.conversation", "ul.callbacks"]) {
        const mine = document.querySelector(selector);
        const theirs = fresh.querySelector(selector);
        if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
      }
    }
    events.addEventListener("case", function (event) {
      const change = JSON.parse(event.data);
      if (String(change.case_id) !== caseId) return;
      if (change.kind === "presence") { if (window.comptoirPresence) window.comptoirPresence(change); return; }
      if (!pending) pending = window.setTimeout(reload, 300);
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

  // --- Crisis broadcast and post composer: one counter per channel the text goes to ---
  function startChannelCounters(box) {
    const outputs = box.dataset.counters.split(" ").map(function (id) { return document.getElementById(id); }).filter(Boolean);
    function update() {
      const text = box.value.trim();
      for (const output of outputs) {
        const limit = Number(output.dataset.limit || 0);
        const length = text ? channelLength(output.dataset.channel, text) : 0;
        output.textContent = String(length);
        output.classList.toggle("over", limit > 0 && length > limit);
      }
    }
    box.addEventListener("input", update);
    update();
  }

  // --- Case view: who else is here (viewing, typing) ---
  function startPresence(box) {
    const labels = JSON.parse(box.dataset.labels || "{}");
    const reply = document.getElementById("reply");
    const others = new Map();
    let lastTyped = 0;
    if (reply) reply.addEventListener("input", function () { lastTyped = Date.now(); });
    function render() {
      const now = Date.now();
      const parts = [];
      for (const [user, present] of others) {
        if (present.until < now) { others.delete(user); continue; }
        parts.push((labels["user_" + user] || "#" + user) + " " + (labels["presence_" + present.state] || present.state));
      }
      box.textContent = parts.join(", ") || labels.presence_alone;
    }
    async function signal() {
      const state = Date.now() - lastTyped < 10000 ? "typing" : "viewing";
      const answer = await callApi("POST", box.dataset.presence, { state: state });
      if (!answer.ok || !answer.json) return;
      others.clear();
      for (const present of answer.json.items) {
        if (String(present.user_id) !== box.dataset.me) others.set(String(present.user_id), { state: present.state, until: Date.now() + 30000 });
      }
      render();
    }
    signal();
    window.setInterval(signal, 10000);
    // Another agent's signal, from the case events stream: shown at once.
    window.comptoirPresence = function (change) {
      if (String(change.user_id) === box.dataset.me) return;
      others.set(String(change.user_id), { state: String(change.state), until: Date.now() + 30000 });
      render();
    };
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
  for (const box of document.querySelectorAll("textarea[data-counters]")) startChannelCounters(box);
  const presence = document.getElementById("presence");
  if (presence) startPresence(presence);
  const caseLive = document.querySelector("[data-case-live]");
  if (caseLive) startCaseLive(caseLive);
  for (const box of document.querySelectorAll("textarea[data-query-preview]")) startPreview(box);
  const charts = document.querySelector("[data-refresh]");
  if (charts) startRefresh(charts);
})();
