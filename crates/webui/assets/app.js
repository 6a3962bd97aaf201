// Comptoir's only script: forms that call the JSON API (with the session's CSRF token),
// the language switch, keyboard shortcuts, and the live stream (server-sent events).
// Text from the server is only ever set with textContent: nothing here parses HTML.
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
      if (action) { event.preventDefault(); action.click(); }
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

  document.addEventListener("submit", submitApiForm);
  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button[data-language]");
    if (button) switchLanguage(button);
  });
  const live = document.querySelector("[data-events]");
  if (live) startLive(live);
})();
